"""A client of an RFC 3161 time-stamping authority over HTTP (RFC 3161 section 3.4)."""

from __future__ import annotations

import httpx2

from archive.attestors.errors import AttestationRefused, AttestorUnavailable

_MAX_REPLY_BYTES = 1024 * 1024


class TimestampAuthority:
    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    @property
    def ident(self) -> str:
        return f"tsa {self.url}"

    def stamp(self, request: bytes) -> bytes:
        """The authority's reply (a DER TimeStampResp) to a DER TimeStampReq."""
        try:
            answer = httpx2.post(
                self.url,
                content=request,
                headers={"Content-Type": "application/timestamp-query"},
                timeout=self.timeout,
            )
        except httpx2.HTTPError as exc:
            raise AttestorUnavailable(
                f"the time-stamping authority {self.url} is unreachable: {exc}"
            ) from None
        if answer.status_code >= 500 or answer.status_code in (408, 429):
            raise AttestorUnavailable(f"the time-stamping authority answered {answer.status_code}")
        if answer.status_code != 200:
            raise AttestationRefused(
                f"the time-stamping authority refused the request ({answer.status_code})"
            )
        if len(answer.content) > _MAX_REPLY_BYTES:
            raise AttestationRefused(f"the time-stamping authority sent {len(answer.content)} bytes")
        return answer.content
