"""Reading blobs for serving, never passing off bad bytes as good."""

from __future__ import annotations

from collections.abc import Iterator

from archive.db.models import utcnow
from archive.digests import Digester, Digests, digest_chunks
from archive.errors import BlobNotFound, StoredBlobCorrupt
from archive.services.documents import BlobInfo
from archive.services.fixity import FAILED_STATUSES, Measurement, record_measurements
from archive.services.unit_of_work import UnitOfWorkFactory
from archive.storage import BlobStore, ByteRange


class VerifyingReader:
    """Reads blobs for serving, never passing off bad bytes as good.

    A blob whose last check failed is refused (`StoredBlobCorrupt`). A blob up to `verify_up_to` bytes is
    read whole and re-hashed before a byte is sent; a mismatch, or a blob storage has lost, is recorded as a
    fixity failure (a check row and a log leaf, in a transaction of its own) and refused. A larger blob
    sent whole is hashed as it streams, one chunk held back: when the digests do not match, the failure is
    recorded and the stream ends with an error before its last chunk, so the client sees a failed transfer
    (fewer bytes than Content-Length), never a complete one, and every later request is refused. A failure
    is recorded once, however many readers find it at the same time. Ranges of larger blobs stream as
    stored (audits cover them).
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
                chunks = self.store.read(info.blake3, byte_range)  # opened now: a lost blob is a 502
                return chunks if byte_range is not None else self._checked(chunks, expected)
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

    def _checked(self, chunks: Iterator[bytes], expected: Digests) -> Iterator[bytes]:
        """The chunks as stored, hashed on the way; the last one is sent only once the digests match."""
        digester = Digester()
        held: bytes | None = None
        try:
            for chunk in chunks:
                digester.update(chunk)
                if digester.size > expected.size:
                    break  # more bytes than were archived: no need to read on
                if held is not None:
                    yield held
                held = chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # the stored blob's file or stream, also when the client went away
        found = digester.digests()
        if found != expected:
            self._record_failure(expected, found)
            raise StoredBlobCorrupt(expected.blake3, "corrupt")
        if held is not None:
            yield held

    def _record_failure(self, expected: Digests, found: Digests | None) -> None:
        """Record the failure, unless a reader did already: the blob's row is locked and read again."""
        uow = self.new_uow()
        with uow.writing():
            uow.blobs.lock(expected.blake3)
            known = uow.blobs.get(expected.blake3)
            if known is not None and known.fixity_status not in FAILED_STATUSES:
                measurement = Measurement(expected=expected, found=found, measured_at=utcnow())
                record_measurements(uow, [measurement], actor="check on read")
