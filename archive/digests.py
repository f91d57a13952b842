"""One pass over the bytes: BLAKE3, SHA-256 and the size together, in fixed-size chunks.

An upload is written to a spool file while it is hashed, so it is read exactly once and never held whole in
memory; the spool file is what the blob store then stores (hard-linked into place on the filesystem backend).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

import blake3 as blake3_lib

from archive.errors import UploadTooLarge, storage_failure

CHUNK_SIZE = 1024 * 1024
# A blob larger than one piece of this many bytes has a chunk index: the BLAKE3 of each piece, in order, so a
# range of it is checked by reading only the pieces it touches. The database's CHECK on `blobs.chunk_index`
# holds the same number.
INDEX_PIECE_BYTES = 1024 * 1024
INDEX_ENTRY_BYTES = 32
DIGEST_HEX = re.compile(r"^[0-9a-f]{64}$")
DIGEST_PATTERN = DIGEST_HEX.pattern


def hex_to_base64(hex_digest: str) -> str:
    """A hex digest in the base64 form S3 checksums and RFC 9530 `Repr-Digest` use."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


@dataclass(frozen=True)
class Digests:
    """The identity of an exact byte sequence."""

    blake3: str
    sha256: str
    size: int

    @property
    def sha256_base64(self) -> str:
        return hex_to_base64(self.sha256)


def pieces_of(size: int) -> int:
    """How many pieces a chunk index of a blob of `size` bytes has."""
    return -(-size // INDEX_PIECE_BYTES)


def has_chunk_index(size: int) -> bool:
    """Whether a blob of `size` bytes gets a chunk index (one of a single piece would be its digest)."""
    return size > INDEX_PIECE_BYTES


def piece_digest(piece: bytes) -> bytes:
    return blake3_lib.blake3(piece).digest()


class ChunkIndexer:
    """The chunk index of a byte sequence fed in chunks of any size: the BLAKE3 of each `INDEX_PIECE_BYTES`
    piece, concatenated in order (the last piece may be shorter)."""

    def __init__(self) -> None:
        self._entries = bytearray()
        self._piece = blake3_lib.blake3()
        self._filled = 0

    def update(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            taken = min(len(view), INDEX_PIECE_BYTES - self._filled)
            self._piece.update(view[:taken])
            self._filled += taken
            view = view[taken:]
            if self._filled == INDEX_PIECE_BYTES:
                self._entries += self._piece.digest()
                self._piece = blake3_lib.blake3()
                self._filled = 0

    def index(self) -> bytes:
        return bytes(self._entries) + (self._piece.digest() if self._filled else b"")


class Digester:
    """Feeds BLAKE3, SHA-256 and a byte counter from the same chunks (and, when asked, a chunk index)."""

    def __init__(self, limit: int | None = None, *, index_chunks: bool = False) -> None:
        self._blake3 = blake3_lib.blake3()
        self._sha256 = hashlib.sha256()
        self._size = 0
        self._limit = limit
        self._indexer = ChunkIndexer() if index_chunks else None

    def update(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._limit is not None and self._size > self._limit:
            raise UploadTooLarge(self._limit)
        self._blake3.update(chunk)
        self._sha256.update(chunk)
        if self._indexer is not None:
            self._indexer.update(chunk)

    def chunk_index(self) -> bytes | None:
        """The chunk index of what was fed, when asked for one and the bytes are more than one piece."""
        if self._indexer is None or not has_chunk_index(self._size):
            return None
        return self._indexer.index()

    write = update  # so a Digester can stand where an upload sink is expected

    @property
    def size(self) -> int:
        return self._size

    def digests(self) -> Digests:
        return Digests(blake3=self._blake3.hexdigest(), sha256=self._sha256.hexdigest(), size=self._size)


def digest_chunks(chunks: Iterable[bytes]) -> Digests:
    digester = Digester()
    for chunk in chunks:
        digester.update(chunk)
    return digester.digests()


def read_chunks(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterable[bytes]:
    while chunk := stream.read(chunk_size):
        yield chunk


def digest_bytes(data: bytes) -> Digests:
    return digest_chunks([data])


def digest_file(path: Path) -> Digests:
    with path.open("rb") as stream:
        return digest_chunks(read_chunks(stream))


@dataclass(frozen=True)
class SpooledUpload:
    """A finished upload on disk with its digests (and chunk index, for more than one piece).
    `discard()` removes the spool file."""

    path: Path
    digests: Digests
    chunk_index: bytes | None = None

    def open(self) -> BinaryIO:
        return self.path.open("rb")

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class UploadSpool:
    """Writes an upload to a temporary file while one `Digester` hashes it.

    Used as a context manager: on any error the partial file is removed, so a refused or broken upload
    leaves nothing behind. `finish()` hands the file over to the caller as a `SpooledUpload`.
    """

    def __init__(self, spool_dir: Path | None, limit: int | None) -> None:
        try:
            if spool_dir is not None:
                spool_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=spool_dir)
        except OSError as exc:
            raise storage_failure("cannot make a spool file for the upload", exc) from exc
        self._file = os.fdopen(fd, "wb")
        self._path = Path(name)
        self._digester = Digester(limit, index_chunks=True)
        self._finished = False

    def write(self, chunk: bytes) -> None:
        self._digester.update(chunk)
        try:
            self._file.write(chunk)
        except OSError as exc:
            raise storage_failure("cannot spool the upload", exc) from exc

    @property
    def size(self) -> int:
        return self._digester.size

    def finish(self) -> SpooledUpload:
        try:
            self._file.close()
        except OSError as exc:  # the last buffered bytes could not be written
            raise storage_failure("cannot spool the upload", exc) from exc
        self._finished = True
        digester = self._digester
        return SpooledUpload(path=self._path, digests=digester.digests(), chunk_index=digester.chunk_index())

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._finished:
            with contextlib.suppress(OSError):  # a full disk fails the close too: the file goes anyway
                self._file.close()
            self._path.unlink(missing_ok=True)


def spool_stream(stream: BinaryIO, spool_dir: Path | None, limit: int | None = None) -> SpooledUpload:
    """Spool and hash a readable stream in one pass (the CLI's and tests' way in)."""
    with UploadSpool(spool_dir, limit) as spool:
        for chunk in read_chunks(stream):
            spool.write(chunk)
        return spool.finish()
