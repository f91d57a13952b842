"""An in-memory blob store: the fake that unit tests use in place of a real backend."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

from archive.digests import SpooledUpload
from archive.errors import BlobNotFound, StorageUnavailable
from archive.storage.base import ByteRange, StoredBlob, blob_key


class MemoryBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.media_types: dict[str, str] = {}
        self.written_at: dict[str, datetime] = {}
        self.available = True
        self._lock = threading.Lock()

    def _require_available(self) -> None:
        if not self.available:
            raise StorageUnavailable("the in-memory store is switched off")

    def put_if_absent(self, upload: SpooledUpload, media_type: str) -> bool:
        self._require_available()
        key = upload.digests.blake3
        blob_key(key)
        data = upload.path.read_bytes()
        with self._lock:
            if key in self.blobs:
                return False
            self.blobs[key] = data
            self.media_types[key] = media_type
            self.written_at[key] = datetime.now(UTC)
        return True

    def replace(self, upload: SpooledUpload, media_type: str) -> None:
        self._require_available()
        key = upload.digests.blake3
        blob_key(key)
        data = upload.path.read_bytes()
        with self._lock:
            self.blobs[key] = data
            self.media_types[key] = media_type
            self.written_at[key] = datetime.now(UTC)

    def _get(self, blake3: str) -> bytes:
        self._require_available()
        blob_key(blake3)
        try:
            return self.blobs[blake3]
        except KeyError:
            raise BlobNotFound(blake3) from None

    def size(self, blake3: str) -> int:
        return len(self._get(blake3))

    def read(self, blake3: str, byte_range: ByteRange | None = None) -> Iterator[bytes]:
        data = self._get(blake3)
        if byte_range is not None:
            data = data[byte_range.start : byte_range.end + 1]
        return iter([data] if data else [])

    def iter_blobs(self) -> Iterator[StoredBlob]:
        self._require_available()
        with self._lock:
            listed = list(self.written_at.items())
        return iter([StoredBlob(blake3, written) for blake3, written in listed if blake3 in self.blobs])

    def delete(self, blake3: str) -> None:
        self._require_available()
        self.blobs.pop(blake3, None)

    def unkept_guarantees(self) -> dict[str, str]:
        return {}  # a blob appears by a link that fails when the name exists, from bytes hashed here

    def check(self) -> None:
        self._require_available()
