"""What a C2PA validation outcome means, in the words an archivist reads: one place for the extractor that
records it and the wire that shows it (versions archived before `state` was recorded get it here too)."""

from __future__ import annotations

import re

# Codes that say a certificate is not on the trust list: reported as an untrusted signer, not as failures.
UNTRUSTED = frozenset({"signingCredential.untrusted", "cawg.x509.credential.untrusted"})
SIGNER_UNTRUSTED = "signingCredential.untrusted"  # the claim's signer; the other is an identity's
# Codes that say the bytes or the claim were changed after signing.
TAMPERED = re.compile(r"mismatch|\.missing$")


def plain_state(valid: bool | None, failures: list[str], untrusted_signer: bool) -> str:
    """`valid`, `valid, untrusted signer`, `tampered` (content or claim changed after signing), `invalid`
    (any other failure: an expired or revoked certificate, a malformed claim), `remote (not fetched)`."""
    if valid is None:
        return "remote (not fetched)"
    if valid:
        return "valid, untrusted signer" if untrusted_signer else "valid"
    return "tampered" if any(TAMPERED.search(code) for code in failures) else "invalid"
