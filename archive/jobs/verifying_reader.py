"""Reading blobs for serving, never passing off bad bytes as good."""

from __future__ import annotations

from collections.abc import Iterator

from archive.db.models import utcnow
from archive.digests import Digests, digest_chunks
from archive.errors import BlobNotFound, StoredBlobCorrupt
from archive.services.documents import BlobInfo
from archive.services.fixity import FAILED_STATUSES, Measurement, record_measurements
from archive.services.unit_of_work import UnitOfWorkFactory
from archive.storage import BlobStore, ByteRange


class VerifyingReader:
    """Reads blobs for serving, never passing off bad bytes as good.

    A blob whose last check failed is refused (`StoredBlobCorrupt`). A blob up to `verify_up_to` bytes is
    read whole and re-hashed before a byte is sent; a mismatch, or a blob storage has lost, is recorded as a
    fixity failure (a check row and a log leaf, in a transaction of its own) and refused. Larger blobs
    stream as stored; audits cover them.
    """

    def __init__(self, new_uow: UnitOfWorkFactory, store: BlobStore, verify_up_to: int) -> None:
        self.new_uow = new_uow
        self.store = store
        self.verify_up_to = verify_up_to

    def require_servable(self, info: BlobInfo) -> None:
        if info.fixity_status in FAILED_STATUSES:
            raise StoredBlobCorrupt(info.blake3, info.fixity_status)

    def read(self, info: BlobInfo, byte_range: ByteRange | None) -> Iterator[bytes]:
        self.require_servable(info)
        expected = Digests(blake3=info.blake3, sha256=info.sha256, size=info.size)
        try:
            if info.size > self.verify_up_to:
                return self.store.read(info.blake3, byte_range)
            data = b"".join(self.store.read(info.blake3))
        except BlobNotFound:
            self._record_failure(expected, None)
            raise StoredBlobCorrupt(info.blake3, "missing") from None
        found = digest_chunks([data])
        if found != expected:
            self._record_failure(expected, found)
            raise StoredBlobCorrupt(info.blake3, "corrupt")
        piece = data if byte_range is None else data[byte_range.start : byte_range.end + 1]
        return iter([piece] if piece else [])

    def _record_failure(self, expected: Digests, found: Digests | None) -> None:
        uow = self.new_uow()
        with uow.writing():
            if uow.blobs.digests_of(expected.blake3) is not None:
                measurement = Measurement(expected=expected, found=found, measured_at=utcnow())
                record_measurements(uow, [measurement], actor="check on read")
