"""Blobs as files under a root folder, written atomically and durably."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from archive.digests import CHUNK_SIZE, DIGEST_HEX, SpooledUpload
from archive.errors import BlobNotFound, StorageUnavailable, storage_failure
from archive.storage.base import ByteRange, StoredBlob, blob_key


def _fsync(path: Path) -> None:
    """Flush a file's data, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _synced_copy_beside(source: Path, target: Path, prefix: str) -> Iterator[Path]:
    """A read-only copy of `source` in `target`'s folder, on disk before it is handed over, and removed
    afterwards (whatever the caller linked or renamed it to stays)."""
    fd, name = tempfile.mkstemp(prefix=prefix, dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, CHUNK_SIZE)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(0o444)
        yield temp
    finally:
        temp.unlink(missing_ok=True)


class FilesystemBlobStore:
    """`root/blake3/ab/cd/<hex>`, each file read-only once written.

    A blob appears under its final name only whole and on disk: the bytes are fsynced, then hard-linked into
    place. `link()` refuses to replace an existing name, so two writers racing on the same digest cannot
    clobber each other, and a crash leaves either no file or the whole file (plus, at worst, a spool file).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, blake3: str) -> Path:
        return self.root / blob_key(blake3)

    def put_if_absent(self, upload: SpooledUpload, media_type: str) -> bool:
        target = self._path(upload.digests.blake3)
        try:
            if target.exists():
                return False
            target.parent.mkdir(parents=True, exist_ok=True)
            _fsync(upload.path)
            upload.path.chmod(0o444)  # the link shares the inode: the blob is read-only from birth
            created = self._link_into_place(upload.path, target)
            if created:
                _fsync(target.parent)
            return created
        except OSError as exc:  # nothing is left under the blob's name: it appears only whole
            raise storage_failure("cannot write the blob", exc) from exc

    def replace(self, upload: SpooledUpload, media_type: str) -> None:
        """A copy beside the blob, synced and read-only, renamed over it (atomic on POSIX), the folder
        synced: readers see the old bytes or the new, never a mix."""
        target = self._path(upload.digests.blake3)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with _synced_copy_beside(upload.path, target, ".repair-") as temp:
                temp.replace(target)
            _fsync(target.parent)
        except OSError as exc:
            raise storage_failure("cannot rewrite the blob", exc) from exc

    def _link_into_place(self, source: Path, target: Path) -> bool:
        try:
            os.link(source, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            return self._copy_into_place(source, target)
        return True

    def _copy_into_place(self, source: Path, target: Path) -> bool:
        """For a spool on another filesystem: copy beside the target, fsync, then link."""
        with _synced_copy_beside(source, target, ".incoming-") as temp:
            try:
                os.link(temp, target)
            except FileExistsError:
                return False
            return True

    def size(self, blake3: str) -> int:
        try:
            return self._path(blake3).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(blake3) from None
        except OSError as exc:
            raise StorageUnavailable(f"cannot stat blob {blake3}: {exc.strerror}") from exc

    def read(self, blake3: str, byte_range: ByteRange | None = None) -> Iterator[bytes]:
        try:
            stream = self._path(blake3).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(blake3) from None
        except OSError as exc:
            raise StorageUnavailable(f"cannot open blob {blake3}: {exc.strerror}") from exc
        return self._chunks(stream, byte_range)

    @staticmethod
    def _chunks(stream: BinaryIO, byte_range: ByteRange | None) -> Iterator[bytes]:
        with stream as source:
            remaining = None
            if byte_range is not None:
                source.seek(byte_range.start)
                remaining = byte_range.length
            while remaining is None or remaining > 0:
                want = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
                chunk = source.read(want)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def iter_blobs(self) -> Iterator[StoredBlob]:
        try:
            for path in (self.root / "blake3").glob("??/??/*"):
                if DIGEST_HEX.match(path.name) and path == self._path(path.name):
                    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                    yield StoredBlob(path.name, modified)
        except OSError as exc:
            raise StorageUnavailable(f"cannot list the blobs: {exc.strerror}") from exc

    def delete(self, blake3: str) -> None:
        try:
            self._path(blake3).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot delete blob {blake3}: {exc.strerror}") from exc

    def unkept_guarantees(self) -> dict[str, str]:
        return {}  # a blob appears by a link that fails when the name exists, from bytes hashed here

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"the blob folder is unusable: {exc.strerror}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable("the blob folder is not writable")
