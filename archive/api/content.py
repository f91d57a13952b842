"""Serving archived bytes: the headers DESIGN.md promises, conditional requests and `Range`.

Archived content is never active content of the service's origin: every response is an attachment, typed
as stored, with `nosniff` and a `sandbox` content security policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from archive.api.openapi import request_headers
from archive.config import Settings
from archive.digests import hex_to_base64
from archive.errors import UnsatisfiableRange
from archive.jobs.verifying_reader import VerifyingReader
from archive.services.documents import BlobInfo
from archive.storage import ByteRange

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
IMMUTABLE = "private, max-age=31536000, immutable"
# By digest and by version, where the archive is public: any cache may keep the bytes for good.
PUBLIC_IMMUTABLE = "public, max-age=31536000, immutable"
# The request headers `content_response` honours, for the OpenAPI document of each route that serves bytes.
CONTENT_REQUEST_HEADERS = request_headers(
    {
        "Range": "One byte range: `bytes=first-last`, `bytes=first-` or `bytes=-suffix` (206; 416 when it "
        "lies outside the content; several ranges, or one that does not parse, get the whole content).",
        "If-Range": "The ETag the client holds: the range is honoured only if it still matches.",
        "If-None-Match": "ETags the client holds: 304 when one matches.",
    }
)
REVALIDATE = "private, no-cache"


def immutable(settings: Settings) -> str:
    """`Cache-Control` of bytes by digest or by version: public where the archive is (shared caches may
    keep them), private otherwise; immutable either way."""
    return PUBLIC_IMMUTABLE if settings.public_read else IMMUTABLE


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """One `bytes=` range of RFC 9110 §14.1.2, or None to send the whole representation.

    Several ranges, or a header that does not parse, are ignored (the server may send the whole); a range
    that parses but lies outside the representation is `UnsatisfiableRange` (416).
    """
    if header is None:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = _position(last)
        if suffix == 0 or size == 0:
            raise UnsatisfiableRange(size)
        return ByteRange(max(0, size - suffix), size - 1)
    start = _position(first)
    end = _position(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise UnsatisfiableRange(size)
    return ByteRange(start, min(end, size - 1))


def _position(digits: str) -> int:
    """A byte position as the header writes it; one of thousands of digits (which `int` refuses to read)
    is past the end of anything stored, and reads as the largest position there is."""
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= _MAX_POSITION_DIGITS else _BEYOND_ANY_BLOB


_MAX_POSITION_DIGITS = 18
_BEYOND_ANY_BLOB = 10**_MAX_POSITION_DIGITS


def content_headers(info: BlobInfo, cache_control: str) -> dict[str, str]:
    filename = info.filename or info.blake3
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "_")
    return {
        "ETag": f'"{info.blake3}"',
        "Repr-Digest": f"sha-256=:{hex_to_base64(info.sha256)}:",
        "Content-Type": info.media_type,
        "Content-Disposition": (f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Accept-Ranges": "bytes",
        "Cache-Control": cache_control,
    }


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates


@dataclass(frozen=True)
class Negotiated:
    """What a request's conditional and range headers make of a representation: 304 (not modified),
    206 with the range to send, or 200."""

    status: int
    byte_range: ByteRange | None = None


def negotiate(header: Callable[[str], str | None], etag: str, size: int) -> Negotiated:
    """The answer to `If-None-Match`, `If-Range` and `Range` (read through `header`, by lower-case
    name) for a representation of `size` bytes tagged `etag`; `UnsatisfiableRange` (416) for a range
    outside it. The one place these headers are read, by the routes and the fast path alike."""
    if _etag_matches(header("if-none-match"), etag):
        return Negotiated(304)
    if_range = header("if-range")
    honour_range = if_range is None or if_range.strip() == etag
    byte_range = parse_range(header("range"), size) if honour_range else None
    return Negotiated(200) if byte_range is None else Negotiated(206, byte_range)


def content_range(byte_range: ByteRange, size: int) -> str:
    return f"bytes {byte_range.start}-{byte_range.end}/{size}"


def content_response(
    request: Request,
    reader: VerifyingReader,
    info: BlobInfo,
    *,
    cache_control: str = IMMUTABLE,
    head: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    headers = content_headers(info, cache_control) | (extra_headers or {})
    answer = negotiate(request.headers.get, headers["ETag"], info.size)
    if answer.status == 304:
        return Response(status_code=304, headers=_without_body_headers(headers))
    status, byte_range = answer.status, answer.byte_range
    if byte_range is not None:
        headers["Content-Range"] = content_range(byte_range, info.size)
    headers["Content-Length"] = str(info.size if byte_range is None else byte_range.length)
    if head:
        reader.require_servable(info)
        reader.store.size(info.blake3)  # the blob must be readable, or this is a 404/503 too
        return Response(status_code=status, headers=headers)
    chunks: Iterator[bytes] = reader.read(info, byte_range)
    if info.size <= reader.verify_up_to:
        # Read whole and re-hashed already: one body, not a worker-thread hop per chunk.
        return Response(b"".join(chunks), status_code=status, headers=headers)
    return StreamingResponse(chunks, status_code=status, headers=headers)


def _without_body_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in ("Content-Type", "Content-Length")}
