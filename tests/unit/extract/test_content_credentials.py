"""What c2pa's report of a manifest becomes on the wire: validity, failures, the untrusted signer apart."""

from __future__ import annotations

from typing import Any

import pytest

from archive.domain.content_credentials import plain_state
from archive.extract.content_credentials import _from_error, configure_trust, credentials_of, settings

UNTRUSTED = "signingCredential.untrusted"


def report(state: str | None, codes: list[str], **manifest: Any) -> dict[str, Any]:
    return {
        "active_manifest": "urn:one",
        "validation_state": state,
        "validation_status": [{"code": code} for code in codes],
        "manifests": {"urn:one": manifest, "urn:other": {"claim_generator": "not the active one"}},
    }


def test_a_valid_manifest_with_an_untrusted_signer_is_valid_and_says_so() -> None:
    credentials = credentials_of(
        report(
            "Valid",
            [UNTRUSTED],
            claim_generator="make_test_images/0.33.1",
            signature_info={
                "issuer": "Test CA",
                "common_name": "Signer",
                "time": "2024-08-06T21:53:37+00:00",
            },
            assertions=[
                {"label": "stds.schema-org.CreativeWork", "data": {"author": [{"name": "John Doe"}]}},
                {"label": "stds.schema-org.CreativeWork.v2", "data": {"author": {"name": "John Doe"}}},
            ],
        )
    )

    assert (credentials.present, credentials.valid, credentials.untrusted_signer) == (True, True, True)
    assert credentials.failures == []
    assert credentials.claim_generator == "make_test_images/0.33.1"
    assert credentials.signer == {
        "issuer": "Test CA",
        "common_name": "Signer",
        "time": "2024-08-06T21:53:37+00:00",
    }
    assert credentials.authors == ["John Doe"]
    assert credentials.state == "valid, untrusted signer"


def test_a_tampered_manifest_is_invalid_with_its_failure_codes() -> None:
    credentials = credentials_of(report("Invalid", [UNTRUSTED, "assertion.dataHash.mismatch"]))

    assert credentials.valid is False
    assert credentials.failures == ["assertion.dataHash.mismatch"]
    assert credentials.validation_state == "Invalid"
    assert credentials.state == "tampered"


@pytest.mark.parametrize(
    ("valid", "failures", "untrusted", "state"),
    [
        (True, [], False, "valid"),
        (True, [], True, "valid, untrusted signer"),
        (False, ["assertion.dataHash.mismatch"], True, "tampered"),
        (False, ["claimSignature.mismatch"], False, "tampered"),
        (False, ["assertion.hashedURI.missing"], False, "tampered"),
        (False, ["signingCredential.expired"], True, "invalid"),
        (False, ["signingCredential.revoked"], False, "invalid"),
        (None, [], False, "remote (not fetched)"),
    ],
)
def test_the_state_is_said_plainly(
    valid: bool | None, failures: list[str], untrusted: bool, state: str
) -> None:
    assert plain_state(valid, failures, untrusted) == state


def test_an_untrusted_identity_credential_is_not_a_failure_and_its_signer_is_named() -> None:
    credentials = credentials_of(
        report(
            "Valid",
            [UNTRUSTED, "cawg.x509.credential.untrusted"],
            assertions=[
                {
                    "label": "cawg.identity",
                    "data": {
                        "signer_payload": {"sig_type": "cawg.x509.cose"},
                        "signature_info": {"issuer": "Test CA", "common_name": "Jane Photographer"},
                    },
                },
                {
                    "label": "cawg.identity",
                    "data": {
                        "signer_payload": {"sig_type": "cawg.identity_claims_aggregation"},
                        "verifiedIdentities": [{"name": "Jane Doe"}, {"username": "jdoe"}],
                    },
                },
                {
                    "label": "c2pa.actions.v2",
                    "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": " http://x/cap "}]},
                },
            ],
        )
    )

    assert (credentials.valid, credentials.failures, credentials.untrusted_signer) == (True, [], True)
    assert credentials.identities == [
        {"sig_type": "cawg.x509.cose", "issuer": "Test CA", "common_name": "Jane Photographer"},
        {"sig_type": "cawg.identity_claims_aggregation", "verified_identities": "Jane Doe, jdoe"},
    ]
    assert credentials.digital_source_types == ["http://x/cap"]


def test_a_trust_list_is_added_to_the_settings_that_never_fetch() -> None:
    try:
        configure_trust("-----BEGIN CERTIFICATE-----\n…")
        configured = settings()
    finally:
        configure_trust(None)

    assert configured["trust"] == {"trust_anchors": "-----BEGIN CERTIFICATE-----\n…"}
    assert configured["verify"] == {"remote_manifest_fetch": False, "ocsp_fetch": False, "verify_trust": True}
    assert settings() == {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}


def test_the_claim_generator_may_come_as_its_parts() -> None:
    credentials = credentials_of(
        report("Valid", [], claim_generator_info=[{"name": "Adobe Express", "version": "1.2"}, "junk"])
    )

    assert credentials.claim_generator == "Adobe Express/1.2"


def test_no_manifest_is_no_credentials_and_no_problem() -> None:
    assert _from_error("ManifestNotFound: no JUMBF data found") == (None, None)


def test_a_remote_manifest_is_reported_with_its_address_not_fetched() -> None:
    credentials, problem = _from_error(
        "Remote: must fetch remote manifests from url https://example.org/m.c2pa"
    )

    assert problem is None
    assert credentials is not None
    assert (credentials.present, credentials.valid, credentials.remote) == (
        True,
        None,
        "https://example.org/m.c2pa",
    )


def test_any_other_failure_to_read_is_a_problem() -> None:
    credentials, problem = _from_error("JumbfParseError: the box is short")

    assert credentials is None
    assert problem == "the Content Credentials cannot be read: JumbfParseError: the box is short"


def test_an_untrusted_identity_credential_alone_leaves_the_signer_trusted() -> None:
    credentials = credentials_of(report("Trusted", ["cawg.x509.credential.untrusted"]))

    assert (credentials.valid, credentials.failures, credentials.untrusted_signer) == (True, [], False)
    assert credentials.state == "valid"


def test_hostile_assertion_data_is_read_as_nothing() -> None:
    credentials = credentials_of(
        report(
            "Valid",
            [],
            assertions=[
                {"label": "cawg.identity", "data": ["not", "a", "mapping"]},
                {"label": "cawg.identity", "data": {"signature_info": "x", "verifiedIdentities": "y"}},
                {"label": "stds.schema-org.CreativeWork", "data": "Jane"},
                {"label": "c2pa.actions", "data": None},
            ],
        )
    )

    assert credentials.identities == [{"sig_type": ""}, {"sig_type": ""}]
    assert credentials.authors == []
