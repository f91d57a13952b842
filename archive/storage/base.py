"""The storage interface every backend implements, and the key layout they share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from archive.digests import DIGEST_HEX, SpooledUpload


def blob_key(blake3: str) -> str:
    """`blake3/<ab>/<cd>/<hex>`: the only way a digest becomes a path or an object key.

    The digest is checked here, so nothing that is not 64 lowercase hex ever reaches a filesystem path or an
    S3 key.
    """
    if not DIGEST_HEX.match(blake3):
        raise ValueError(f"not a BLAKE3 hex digest: {blake3!r}")
    return f"blake3/{blake3[:2]}/{blake3[2:4]}/{blake3}"


@dataclass(frozen=True)
class StoredBlob:
    """A blob as storage lists it: its digest and when it was last written."""

    blake3: str
    modified_at: datetime


@dataclass(frozen=True)
class ByteRange:
    """A satisfiable byte range: `start` inclusive, `end` inclusive (as HTTP counts them)."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


CONDITIONAL_WRITES = "conditional_writes"
CHECKSUMS = "checksums"


class BlobStore(Protocol):
    """Where blobs live. Implementations translate their own errors into `BlobNotFound` and
    `StorageUnavailable`; nothing above this interface sees a vendor exception."""

    def put_if_absent(self, upload: SpooledUpload, media_type: str) -> bool:
        """Store the spooled bytes under their BLAKE3 key unless a blob is there already.

        Returns True when this call stored the blob, False when it was present. Never overwrites.
        """
        ...

    def replace(self, upload: SpooledUpload, media_type: str) -> None:
        """Store the spooled bytes under their key over whatever is there: only to repair a blob whose
        stored bytes failed their fixity check, with bytes whose digests were just computed. The blob is
        swapped whole (never half old, half new)."""
        ...

    def size(self, blake3: str) -> int:
        """The stored size in bytes; `BlobNotFound` when absent."""
        ...

    def read(self, blake3: str, byte_range: ByteRange | None = None) -> Iterator[bytes]:
        """The blob's bytes (or one range of them) in chunks.

        The blob is opened before this returns, so a missing blob raises here rather than mid-stream.
        """
        ...

    def iter_blobs(self) -> Iterator[StoredBlob]:
        """Every blob stored under the key layout (anything else there is ignored), in no set order."""
        ...

    def delete(self, blake3: str) -> None:
        """Remove a blob (for the collector of unreferenced blobs); absent is not an error."""
        ...

    def check(self) -> None:
        """Raise `StorageUnavailable` unless the store can be read and written now."""
        ...

    def unkept_guarantees(self) -> dict[str, str]:
        """What the store does not guarantee, found by trying it under a probe prefix it cleans up: a
        sentence under `CONDITIONAL_WRITES` when a write is not refused where the key exists (the archive
        relies on it never to overwrite a blob), under `CHECKSUMS` when bytes with a wrong checksum are
        accepted (the archive hashes what it stores itself, so this only loses a check in transit).
        Empty when the store keeps both."""
        ...
