"""Reading blobs for serving, never passing off bad bytes as good."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from archive.db.models import utcnow
from archive.digests import (
    INDEX_ENTRY_BYTES,
    INDEX_PIECE_BYTES,
    Digester,
    Digests,
    digest_chunks,
    has_chunk_index,
    piece_digest,
)
from archive.errors import BlobNotFound, StorageUnavailable, StoredBlobCorrupt
from archive.services.documents import BlobInfo
from archive.services.fixity import FAILED_STATUSES, Measurement, measure, record_measurements
from archive.services.unit_of_work import UnitOfWorkFactory
from archive.storage import BlobStore, ByteRange


class VerifyingReader:
    """Reads blobs for serving, never passing off bad bytes as good.

    A blob whose last check failed is refused (`StoredBlobCorrupt`). A blob up to `verify_up_to` bytes is
    read whole and re-hashed before a byte is sent; a mismatch, or a blob storage has lost, is recorded as a
    fixity failure (a check row and a log leaf, in a transaction of its own) and refused. A larger blob
    sent whole is hashed as it streams, one chunk held back: when the digests do not match, the failure is
    recorded and the stream ends with an error before its last chunk, so the client sees a failed transfer
    (fewer bytes than Content-Length), never a complete one, and every later request is refused. A range of
    a larger blob is read in the 1 MiB pieces it touches, each checked against the blob's chunk index before
    any of its bytes is sent; a piece that does not match ends the transfer the same way. A failure is
    recorded once, however many readers find it at the same time.
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
            if info.size > self.verify_up_to and byte_range is None:
                return self._checked(self.store.read(info.blake3), expected)  # opened now: lost is a 502
            if info.size > self.verify_up_to and has_chunk_index(info.size):
                assert byte_range is not None
                return self._checked_range(expected, byte_range)
            data = b"".join(self.store.read(info.blake3))
        except BlobNotFound:
            self._record_failure(Measurement(expected=expected, found=None, measured_at=utcnow()))
            raise StoredBlobCorrupt(info.blake3, "missing") from None
        found = digest_chunks([data])
        if found != expected:
            self._record_failure(Measurement(expected=expected, found=found, measured_at=utcnow()))
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
            _close(chunks)  # the stored blob's file or stream, also when the client went away
        found = digester.digests()
        if found != expected:
            self._record_failure(Measurement(expected=expected, found=found, measured_at=utcnow()))
            raise StoredBlobCorrupt(expected.blake3, "corrupt")
        if held is not None:
            yield held

    def _checked_range(self, expected: Digests, wanted: ByteRange) -> Iterator[bytes]:
        """The pieces `wanted` touches, read from storage (opened now) and checked before they are sent."""
        index = self._chunk_index(expected)
        first = wanted.start // INDEX_PIECE_BYTES
        last = wanted.end // INDEX_PIECE_BYTES
        span = ByteRange(first * INDEX_PIECE_BYTES, min((last + 1) * INDEX_PIECE_BYTES, expected.size) - 1)
        return self._checked_pieces(self.store.read(expected.blake3, span), expected, index, span, wanted)

    def _checked_pieces(
        self, chunks: Iterator[bytes], expected: Digests, index: bytes, span: ByteRange, wanted: ByteRange
    ) -> Iterator[bytes]:
        offset = span.start
        try:
            for piece in _pieces(chunks, span.length):
                number = offset // INDEX_PIECE_BYTES
                entry = index[number * INDEX_ENTRY_BYTES : (number + 1) * INDEX_ENTRY_BYTES]
                whole = len(piece) == min(INDEX_PIECE_BYTES, expected.size - offset)
                if not whole or piece_digest(piece) != entry:
                    break
                yield piece[max(0, wanted.start - offset) : wanted.end - offset + 1]
                offset += len(piece)
        finally:
            _close(chunks)
        if offset <= span.end:  # a piece did not match, or storage had fewer bytes than were archived
            self._record_range_failure(expected)

    def _chunk_index(self, expected: Digests) -> bytes:
        """The blob's chunk index; for a blob archived before indexes were kept, made now by reading it
        whole (once: a mismatch is recorded, a match keeps the index)."""
        with self.new_uow().reading() as uow:
            index = uow.blobs.chunk_index(expected.blake3)
        if index is not None:
            return index
        measurement = measure(self.store, expected)
        if measurement.chunk_index is None:
            self._record_failure(measurement)
            raise StoredBlobCorrupt(expected.blake3, measurement.status)
        with self.new_uow().writing() as uow:
            uow.blobs.set_chunk_index(expected.blake3, measurement.chunk_index)
        return measurement.chunk_index

    def _record_range_failure(self, expected: Digests) -> None:
        """A piece did not match its entry: the whole blob is measured, so what is recorded is what storage
        holds. Should it be intact after all, the index was wrong: it is made again from the bytes, and
        this transfer still fails (the client asks again)."""
        measurement = measure(self.store, expected)
        if measurement.chunk_index is not None:
            with self.new_uow().writing() as uow:
                uow.blobs.set_chunk_index(expected.blake3, measurement.chunk_index)
            raise StorageUnavailable(f"blob {expected.blake3}'s chunk index did not match it and was remade")
        self._record_failure(measurement)
        raise StoredBlobCorrupt(expected.blake3, measurement.status)

    def _record_failure(self, measurement: Measurement) -> None:
        """Record the failure, unless a reader did already: the blob's row is locked and read again."""
        uow = self.new_uow()
        with uow.writing():
            uow.blobs.lock(measurement.expected.blake3)
            known = uow.blobs.get(measurement.expected.blake3)
            if known is not None and known.fixity_status not in FAILED_STATUSES:
                record_measurements(uow, [measurement], actor="check on read")


def _pieces(chunks: Iterable[bytes], length: int) -> Iterator[bytes]:
    """`length` bytes of `chunks` cut into whole index pieces (the last one as long as what remains); fewer
    when the chunks end early."""
    buffered = bytearray()
    for chunk in chunks:
        buffered += chunk
        while len(buffered) >= min(INDEX_PIECE_BYTES, length) > 0:
            size = min(INDEX_PIECE_BYTES, length)
            yield bytes(buffered[:size])
            del buffered[:size]
            length -= size
    if buffered and length > 0:
        yield bytes(buffered[:length])


def _close(chunks: Iterator[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
