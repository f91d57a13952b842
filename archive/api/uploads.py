"""Streaming `multipart/form-data`: the file part is hashed and spooled as it arrives, never buffered whole.

python-multipart's push parser calls back with slices of each chunk; file data is gathered into batches of
about `CHUNK_SIZE` and written and hashed in a worker thread (hashlib and blake3 release the GIL), so the
event loop keeps serving other requests during a large upload. Limits are enforced as bytes arrive: an
upload over the limit is refused at the first byte too many, and its spool file removed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from archive.digests import CHUNK_SIZE, Digester, Digests, SpooledUpload, UploadSpool
from archive.domain.media_types import infer_media_type
from archive.errors import InvalidInput, UnsupportedMediaType, UploadTooLarge

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_PARTS = 8
_MULTIPART_OVERHEAD = 64 * 1024
_FILENAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def safe_filename(raw: str | None) -> str | None:
    """The last path segment of a client's file name, without control characters, at most 255 long.

    It is only ever echoed back in metadata and `Content-Disposition`; it never names anything on disk.
    """
    if not raw:
        return None
    name = _FILENAME_UNSAFE.sub("", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        return None
    return name[:255]


@dataclass
class ReceivedForm:
    """The parts of a multipart upload. `discard()` removes the spool file, if any."""

    fields: dict[str, bytes] = field(default_factory=dict)
    file: SpooledUpload | None = None
    digests: Digests | None = None
    filename: str | None = None
    media_type: str = "application/octet-stream"

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()


class _FormReceiver:
    """python-multipart callbacks that route each part to a field buffer or the file sink."""

    def __init__(
        self,
        *,
        spool_dir: Path | None,
        keep_file: bool,
        max_file_bytes: int,
        max_field_bytes: int,
        field_names: frozenset[str],
    ) -> None:
        self.spool_dir = spool_dir
        self.keep_file = keep_file
        self.max_file_bytes = max_file_bytes
        self.max_field_bytes = max_field_bytes
        self.field_names = field_names
        self.form = ReceivedForm()
        self.sink: UploadSpool | Digester | None = None
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.received = 0
        self.parts = 0
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._part: str | None = None
        self._field: bytearray | None = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        # A form sends each field once, even empty; a few more parts get a precise "only one" refusal.
        limit = max(MAX_PARTS, len(self.field_names) + 2)
        if self.parts > limit:
            raise InvalidInput(f"a multipart upload has at most {limit} parts")
        self._headers = {}
        self._header_name = b""
        self._header_value = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = b""
        self._header_value = b""

    def _headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if disposition != b"form-data" or not name:
            raise InvalidInput("each part needs `Content-Disposition: form-data; name=…`")
        self._part = name
        if name == "file":
            if self.sink is not None:
                raise InvalidInput("only one `file` part is allowed")
            raw_filename = options.get(b"filename")
            self.form.filename = safe_filename(
                raw_filename.decode("utf-8", "replace") if raw_filename else None
            )
            declared = self._headers.get(b"content-type", b"").decode("latin-1")
            self.form.media_type = infer_media_type(declared, self.form.filename)
            self.sink = (
                UploadSpool(self.spool_dir, self.max_file_bytes)
                if self.keep_file
                else Digester(self.max_file_bytes)
            )
        elif name in self.field_names:
            if name in self.form.fields:
                raise InvalidInput(f"only one `{name}` part is allowed")
            self._field = bytearray()
        else:
            expected = ", ".join(sorted({"file", *self.field_names}))
            raise InvalidInput(f"unexpected part {name[:40]!r}: the parts are {expected}")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part == "file":
            self.received += end - start
            if self.received > self.max_file_bytes:
                raise UploadTooLarge(self.max_file_bytes)
            self.pending_size += end - start
            self.pending.append(data[start:end])
        elif self._field is not None:
            self._field += data[start:end]
            if len(self._field) > self.max_field_bytes:
                raise UploadTooLarge(self.max_field_bytes, f"the `{self._part}` part")

    def _part_end(self) -> None:
        if self._field is not None and self._part is not None:
            self.form.fields[self._part] = bytes(self._field)
        self._field = None
        self._part = None

    def _end(self) -> None:
        self.ended = True

    def take_pending(self) -> bytes:
        batch = b"".join(self.pending)
        self.pending.clear()
        self.pending_size = 0
        return batch


@asynccontextmanager
async def received_form(
    request: Request,
    *,
    spool_dir: Path | None,
    max_file_bytes: int,
    max_field_bytes: int,
    field_names: frozenset[str] = frozenset({"metadata"}),
) -> AsyncIterator[ReceivedForm]:
    """The upload's form with its file spooled, for the block; the spool file removed when it ends."""
    form = await receive_form(
        request,
        spool_dir=spool_dir,
        keep_file=True,
        max_file_bytes=max_file_bytes,
        max_field_bytes=max_field_bytes,
        field_names=field_names,
    )
    try:
        yield form
    finally:
        form.discard()


async def receive_form(
    request: Request,
    *,
    spool_dir: Path | None,
    keep_file: bool,
    max_file_bytes: int,
    max_field_bytes: int,
    field_names: frozenset[str] = frozenset({"metadata"}),
) -> ReceivedForm:
    """Read a multipart body once. With `keep_file` the file is spooled to disk; without, only hashed."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("the body must be multipart/form-data with a `file` part")
    declared_length = request.headers.get("content-length")
    limit = max_file_bytes + max_field_bytes * len(field_names) + _MULTIPART_OVERHEAD
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        raise UploadTooLarge(max_file_bytes)

    receiver = _FormReceiver(
        spool_dir=spool_dir,
        keep_file=keep_file,
        max_file_bytes=max_file_bytes,
        max_field_bytes=max_field_bytes,
        field_names=field_names,
    )
    parser = MultipartParser(boundary, receiver.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if receiver.sink is not None and receiver.pending_size >= CHUNK_SIZE:
                await anyio.to_thread.run_sync(receiver.sink.write, receiver.take_pending())
        parser.finalize()
        if receiver.sink is not None and receiver.pending:
            await anyio.to_thread.run_sync(receiver.sink.write, receiver.take_pending())
        if not receiver.ended:
            raise InvalidInput("the multipart body ended before its closing boundary")
        _finish(receiver)
    except MultipartParseError as exc:
        _abandon(receiver)
        raise InvalidInput(f"malformed multipart body: {exc}") from None
    except ClientDisconnect:
        _abandon(receiver)
        raise InvalidInput("the client disconnected before the upload finished") from None
    except BaseException:
        _abandon(receiver)
        raise
    return receiver.form


def _finish(receiver: _FormReceiver) -> None:
    sink = receiver.sink
    if isinstance(sink, UploadSpool):
        receiver.form.file = sink.finish()
        receiver.form.digests = receiver.form.file.digests
    elif isinstance(sink, Digester):
        receiver.form.digests = sink.digests()


def _abandon(receiver: _FormReceiver) -> None:
    if isinstance(receiver.sink, UploadSpool):
        receiver.sink.__exit__(None, None, None)
    receiver.form.discard()


async def read_bounded_body(request: Request, limit: int) -> bytes:
    """A small body (a JSON request), read whole but refused past `limit` bytes (413)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise UploadTooLarge(limit, "the request body")
    return bytes(body)
