"""RFC 3161 time-stamps of checkpoints, built and checked with rfc3161-client.

The message imprint is the SHA-256 of the checkpoint's body: the note text before the blank line, its final
newline included. One token on a checkpoint dates every leaf of its tree ("archived no later than"),
independently of the archive's own key and clock.

Some authorities (OpenSSL's `ts -reply` with a chain among them) send the certificates of a token's
SignedData in the order they were given, not sorted as DER asks of a SET OF; rfc3161-client's strict DER
parser then refuses the token (`InvalidSetOrdering`). The certificates are not covered by the signature,
so `canonical_token` sorts them (a permutation: no length changes) before the token is parsed or kept.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from archive.ledger.errors import InvalidTimestamp

# TimeStampResp ::= SEQUENCE { status PKIStatusInfo (SEQUENCE { INTEGER 0 }), timeStampToken }
_GRANTED_STATUS = bytes.fromhex("3003020100")


@dataclass(frozen=True)
class TimestampRequest:
    der: bytes
    nonce: int


@dataclass(frozen=True)
class Stamp:
    """A checked token: its DER (a CMS ContentInfo) and the time the authority states."""

    token: bytes
    gen_time: datetime

    @property
    def base64(self) -> str:
        return base64.b64encode(self.token).decode("ascii")


def checkpoint_imprint(body: str) -> bytes:
    return hashlib.sha256(body.encode()).digest()


def timestamp_request(body: str) -> TimestampRequest:
    """A request for a token over the checkpoint `body`: SHA-256, a nonce, the signer's certificate."""
    request = (
        TimestampRequestBuilder()
        .data(body.encode())
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    return TimestampRequest(request.as_bytes(), int(request.nonce or 0))


def load_roots(pem: bytes) -> list[x509.Certificate]:
    try:
        roots = x509.load_pem_x509_certificates(pem)
    except ValueError:
        roots = []
    if not roots:
        raise InvalidTimestamp("no PEM certificate to check time-stamps against")
    return roots


def read_reply(reply: bytes, body: str, nonce: int, roots: list[x509.Certificate]) -> Stamp:
    """The token of an authority's reply to `timestamp_request(body)`, once its status is granted, its
    nonce and imprint are the request's and its signature chains to one of `roots`."""
    response = _decode(_canonical_reply(reply))
    return _verify(response, body, roots, nonce)


def verify_token(token: bytes, body: str, roots: list[x509.Certificate]) -> Stamp:
    """A kept token checked again, offline: its imprint is the body's, its signature chains to `roots`."""
    response = _decode(_wrap(canonical_token(token)))
    return _verify(response, body, roots, None)


def token_imprint(token: bytes) -> tuple[bytes, datetime]:
    """The message imprint and time a token states, read without checking its signature."""
    response = _decode(_wrap(canonical_token(token)))
    info = response.tst_info
    return bytes(info.message_imprint.message), _utc(info.gen_time)


def _verify(
    response: TimeStampResponse, body: str, roots: list[x509.Certificate], nonce: int | None
) -> Stamp:
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify(response, checkpoint_imprint(body))
    except (VerificationError, ValueError) as exc:
        raise InvalidTimestamp(f"the time-stamp does not verify: {exc}") from None
    return Stamp(response.time_stamp_token(), _utc(response.tst_info.gen_time))


def _decode(reply: bytes) -> TimeStampResponse:
    try:
        return decode_timestamp_response(reply)
    except ValueError as exc:
        raise InvalidTimestamp(f"not an RFC 3161 time-stamp response: {exc}") from None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _wrap(token: bytes) -> bytes:
    content = _GRANTED_STATUS + token
    return b"\x30" + _length(len(content)) + content


# DER, just enough to reorder one SET OF in place.


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _header(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the element at `at`."""
    if at + 2 > len(data):
        raise InvalidTimestamp("a truncated DER element")
    tag, first = data[at], data[at + 1]
    start = at + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise InvalidTimestamp("a DER length that cannot be")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + length > len(data):
        raise InvalidTimestamp("a DER element longer than its container")
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(tag, element start, element end) of each element in [start, end)."""
    found = []
    at = start
    while at < end:
        tag, _, element_end = _header(data, at)
        found.append((tag, at, element_end))
        at = element_end
    return found


def canonical_token(token: bytes) -> bytes:
    """The token with its SignedData's certificates in DER order (unchanged when they were)."""
    # ContentInfo SEQUENCE { contentType OID, [0] EXPLICIT SignedData SEQUENCE { version, digestAlgorithms,
    # encapContentInfo, [0] IMPLICIT certificates OPTIONAL, [1] crls OPTIONAL, signerInfos } }
    _, start, end = _header(token, 0)
    parts = _children(token, start, end)
    if len(parts) < 2 or parts[1][0] != 0xA0:
        return token
    _, inner_start, _ = _header(token, parts[1][1])
    _, signed_start, signed_end = _header(token, inner_start)
    for tag, at, element_end in _children(token, signed_start, signed_end):
        if tag == 0xA0:
            _, certs_start, _ = _header(token, at)
            certs = [token[a:b] for _, a, b in _children(token, certs_start, element_end)]
            ordered = b"".join(sorted(certs))
            return token[:certs_start] + ordered + token[element_end:]
    return token


def _canonical_reply(reply: bytes) -> bytes:
    """A TimeStampResp with its token's certificates in DER order."""
    _, start, end = _header(reply, 0)
    parts = _children(reply, start, end)
    if len(parts) < 2:
        return reply
    _, token_start, token_end = parts[1]
    return reply[:token_start] + canonical_token(reply[token_start:token_end]) + reply[token_end:]
