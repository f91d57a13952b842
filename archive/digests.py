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


class Digester:
    """Feeds BLAKE3, SHA-256 and a byte counter from the same chunks."""

    def __init__(self, limit: int | None = None) -> None:
        self._blake3 = blake3_lib.blake3()
        self._sha256 = hashlib.sha256()
        self._size = 0
        self._limit = limit

    def update(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._limit is not None and self._size > self._limit:
            raise UploadTooLarge(self._limit)
        self._blake3.update(chunk)
        self._sha256.update(chunk)

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
    """A finished upload on disk with its digests. `discard()` removes the spool file."""

    path: Path
    digests: Digests

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
            raise storage_failure(f"cannot spool the upload in {spool_dir}", exc) from exc
        self._file = os.fdopen(fd, "wb")
        self._path = Path(name)
        self._digester = Digester(limit)
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
        return SpooledUpload(path=self._path, digests=self._digester.digests())

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
