"""Fixity: re-read a stored blob now, re-hash it in one pass, and record what was found.

A check that finds other bytes (`corrupt`) or none at all (`missing`) is also a leaf of the verifiable log,
so a failure can never be quietly forgotten. Storage that cannot be reached is no finding:
`StorageUnavailable` propagates and nothing is recorded, because an outage says nothing about the bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import Blob, FixityCheck, utcnow
from archive.db.repository import Repository
from archive.db.session import Database
from archive.digests import Digests, digest_chunks
from archive.errors import BlobNotFound, StoredBlobCorrupt
from archive.ledger import fixity_failed
from archive.metrics import FIXITY_RESULTS
from archive.services.documents import BlobInfo
from archive.services.log import append_event
from archive.storage import BlobStore, ByteRange

FixityStatus = Literal["ok", "corrupt", "missing"]


@dataclass(frozen=True)
class Measurement:
    """What re-reading one blob found, before anything is recorded."""

    expected: Digests
    found: Digests | None
    measured_at: datetime

    @property
    def status(self) -> FixityStatus:
        if self.found is None:
            return "missing"
        return "ok" if self.found == self.expected else "corrupt"


@dataclass(frozen=True)
class FixityResult:
    """One recorded check: what was expected, what was found, when, by whom, and its log leaf."""

    blake3: str
    status: FixityStatus
    expected: Digests
    found: Digests | None
    checked_at: datetime
    checked_by: str
    log_index: int | None
    audit_id: str | None = None


@dataclass(frozen=True)
class FixityState:
    """A blob's last check, as verification reports it."""

    status: str
    checked_at: datetime
    log_index: int | None


def expected_digests(blob: Blob) -> Digests:
    return Digests(blake3=blob.blake3, sha256=blob.sha256, size=blob.size)


def measure(store: BlobStore, expected: Digests) -> Measurement:
    """Read the stored bytes back and hash them in one pass (BLAKE3, SHA-256 and size together)."""
    try:
        found: Digests | None = digest_chunks(store.read(expected.blake3))
    except BlobNotFound:
        found = None
    return Measurement(expected=expected, found=found, measured_at=utcnow())


def record_measurements(
    session: Session,
    measured: Sequence[tuple[Blob, Measurement]],
    *,
    actor: str,
    audit_id: str | None = None,
) -> list[FixityResult]:
    """Record each measurement: a check row, the blob's last status, and a log leaf for each failure.

    Every failure is appended to the log before any blob row is touched, and blobs are updated in digest
    order. Every writer takes the log head before blob rows, and blob rows in that order, so concurrent
    checks and sweeps wait for each other but never deadlock.
    """
    ordered = sorted(measured, key=lambda pair: pair[0].blake3)
    log_indexes = {
        blob.blake3: _log_failure(session, measurement, actor)
        for blob, measurement in ordered
        if measurement.status != "ok"
    }
    results = []
    for blob, measurement in ordered:
        FIXITY_RESULTS.labels(measurement.status).inc()
        found = measurement.found
        blob.fixity_status = measurement.status
        blob.fixity_checked_at = measurement.measured_at
        session.add(
            FixityCheck(
                blob_blake3=blob.blake3,
                audit_id=audit_id,
                checked_at=measurement.measured_at,
                status=measurement.status,
                found_blake3=found.blake3 if found else None,
                found_sha256=found.sha256 if found else None,
                found_size=found.size if found else None,
                checked_by=actor,
                log_index=log_indexes.get(blob.blake3),
            )
        )
        results.append(
            FixityResult(
                blake3=blob.blake3,
                status=measurement.status,
                expected=measurement.expected,
                found=found,
                checked_at=measurement.measured_at,
                checked_by=actor,
                log_index=log_indexes.get(blob.blake3),
                audit_id=audit_id,
            )
        )
    session.flush()
    return results


def _log_failure(session: Session, measurement: Measurement, actor: str) -> int:
    event = fixity_failed(
        expected=measurement.expected, found=measurement.found, time=measurement.measured_at, actor=actor
    )
    return append_event(session, event)


def check_blob(session: Session, store: BlobStore, blake3: str, *, actor: str) -> FixityResult:
    """Re-read one blob from storage now and record the result; `BlobNotFound` for an unknown digest."""
    blob = Repository(session).get_blob(blake3)
    if blob is None:
        raise BlobNotFound(blake3)
    measurement = measure(store, expected_digests(blob))
    [result] = record_measurements(session, [(blob, measurement)], actor=actor)
    return result


def last_fixity(session: Session, blob: Blob) -> FixityState | None:
    """The blob's last check (None when it was never checked)."""
    if blob.fixity_status is None:
        return None
    last = session.scalars(
        select(FixityCheck)
        .where(FixityCheck.blob_blake3 == blob.blake3)
        .order_by(FixityCheck.checked_at.desc(), FixityCheck.id.desc())
        .limit(1)
    ).one_or_none()
    if last is None:
        return None
    return FixityState(status=last.status, checked_at=last.checked_at, log_index=last.log_index)


FAILED = frozenset({"corrupt", "missing"})


class VerifyingReader:
    """Reads blobs for serving, never passing off bad bytes as good.

    A blob whose last check failed is refused (`StoredBlobCorrupt`). A blob up to `verify_up_to` bytes is
    read whole and re-hashed before a byte is sent; a mismatch, or a blob storage has lost, is recorded as a
    fixity failure (a check row and a log leaf) and refused. Larger blobs stream as stored; audits cover them.
    """

    def __init__(self, db: Database, store: BlobStore, verify_up_to: int) -> None:
        self.db = db
        self.store = store
        self.verify_up_to = verify_up_to

    def require_servable(self, info: BlobInfo) -> None:
        if info.fixity_status in FAILED:
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
        with self.db.unit_of_work() as session:
            blob = Repository(session).get_blob(expected.blake3)
            if blob is not None:
                measurement = Measurement(expected=expected, found=found, measured_at=utcnow())
                record_measurements(session, [(blob, measurement)], actor="check on read")
