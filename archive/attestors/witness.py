"""A client of one C2SP tlog-witness: `POST <prefix>/add-checkpoint` (c2sp.org/tlog-witness)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import httpx2

from archive.attestors.errors import AttestationRefused, AttestorUnavailable, WitnessConflict
from archive.ledger.cosignatures import Cosignature, CosignerKey, add_checkpoint_body, witness_answer_lines
from archive.ledger.errors import InvalidNote

_SIZE = re.compile(r"(0|[1-9][0-9]{0,18})\n")
_MAX_ANSWER_BYTES = 64 * 1024
# What each refusal means, in the spec's words.
_REFUSALS = {
    400: "found the request malformed",
    403: "does not trust the log's key for this origin, or its signature failed",
    404: "does not know this log's origin",
    422: "found the checkpoint inconsistent with what it saw before (a fork, or a bad proof)",
}


class WitnessClient:
    """One witness: where it takes checkpoints and the key its cosignatures must verify under."""

    def __init__(self, url: str, key: CosignerKey, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    @property
    def ident(self) -> str:
        return self.key.ident

    def add_checkpoint(
        self, old_size: int, proof: Sequence[bytes], note: str, body: str
    ) -> list[Cosignature]:
        """Offer the signed `note` (whose text is `body`) with a consistency proof from `old_size`; the
        witness's verified cosignatures. Raises WitnessConflict on 409, AttestationRefused on a refusal
        or an answer that does not verify, AttestorUnavailable when it cannot be reached."""
        try:
            answer = httpx2.post(
                f"{self.url}/add-checkpoint",
                content=add_checkpoint_body(old_size, proof, note),
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=self.timeout,
            )
        except httpx2.HTTPError as exc:
            raise AttestorUnavailable(f"witness {self.ident} at {self.url} is unreachable: {exc}") from None
        return self._read(answer, body)

    def _read(self, answer: httpx2.Response, body: str) -> list[Cosignature]:
        status = answer.status_code
        if len(answer.content) > _MAX_ANSWER_BYTES:
            raise AttestationRefused(f"witness {self.ident} sent an answer of {len(answer.content)} bytes")
        if status == 409:
            size = _SIZE.fullmatch(answer.text)
            if size is None:
                raise AttestationRefused(f"witness {self.ident} answered 409 without a tree size")
            raise WitnessConflict(self.ident, int(size.group(1)))
        if status in _REFUSALS:
            raise AttestationRefused(
                f"witness {self.ident} {_REFUSALS[status]} ({status})", witness=self.ident, status=status
            )
        if status != 200:
            raise AttestorUnavailable(f"witness {self.ident} answered {status}", status=status)
        try:
            found = witness_answer_lines(answer.text, body, self.key)
        except InvalidNote as exc:
            raise AttestationRefused(
                f"witness {self.ident} answered lines that do not verify: {exc}"
            ) from None
        if not found:
            raise AttestationRefused(f"witness {self.ident} answered no cosignature by its key")
        return found
