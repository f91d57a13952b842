"""Fixity: re-read a stored blob now, re-hash it in one pass, and record what was found.

A check that finds other bytes (`corrupt`) or none at all (`missing`) is also a leaf of the verifiable log,
so a failure can never be quietly forgotten. Storage that cannot be reached is no finding:
`StorageUnavailable` propagates and nothing is recorded, because an outage says nothing about the bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Literal

from archive.db.models import Blob, utcnow
from archive.db.repositories import BlobFixityRow, FixityCheckRow
from archive.digests import Digester, Digests, has_chunk_index
from archive.errors import BlobNotFound
from archive.ledger import fixity_failed
from archive.metrics import FIXITY_RESULTS
from archive.services.log import append_event
from archive.services.unit_of_work import UnitOfWork
from archive.storage import BlobStore

FixityStatus = Literal["ok", "corrupt", "missing"]
# `measure_all` hands a batch to its threads in this many slices: enough to keep every thread busy when the
# slices' blobs take unequal times to read, few enough that handing them over costs little.
SLICES_PER_BATCH = 16


# The statuses of a blob whose stored bytes are not what was archived: it is not served as good.
FAILED_STATUSES = frozenset({"corrupt", "missing"})


@dataclass(frozen=True)
class Measurement:
    """What re-reading one blob found, before anything is recorded."""

    expected: Digests
    found: Digests | None
    measured_at: datetime
    # The chunk index of the bytes read, when they are intact and more than one piece.
    chunk_index: bytes | None = None

    @property
    def status(self) -> FixityStatus:
        if self.found is None:
            return "missing"
        return "ok" if self.found == self.expected else "corrupt"


@dataclass(frozen=True)
class FixityResult:
    """One recorded check: what was expected, what was found, when, by whom, and its log leaf."""

    blake3: str
    status: FixityStatus | Literal["purged"]  # purged: removed on purpose, not read (`check_both_copies`)
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


def measure(store: BlobStore, expected: Digests) -> Measurement:
    """Read the stored bytes back and hash them in one pass (BLAKE3, SHA-256, size and, for a blob of more
    than one piece, its chunk index together)."""
    digester = Digester(index_chunks=has_chunk_index(expected.size))
    found: Digests | None = None
    try:
        for chunk in store.read(expected.blake3):
            digester.update(chunk)
        found = digester.digests()
    except BlobNotFound:
        pass
    intact = found == expected
    return Measurement(
        expected=expected,
        found=found,
        measured_at=utcnow(),
        chunk_index=digester.chunk_index() if intact else None,
    )


def measure_all(
    store: BlobStore, expected: Sequence[Digests], pool: Executor | None = None
) -> list[Measurement]:
    """Measure each blob, in `pool`'s threads when one is given; the measurements in the order given.

    Threads pay off because hashlib and blake3 release the GIL while they hash (and a remote store's reads
    overlap). Blobs go to the threads in slices of about equal bytes, a few per thread, so a slice of small
    blobs costs one hand-over rather than one each, and large blobs are spread over the threads.
    """
    if pool is None or len(expected) < 2:
        return [measure(store, digests) for digests in expected]
    slices = _slices(expected, SLICES_PER_BATCH)
    return [measurement for part in pool.map(partial(_measure_slice, store), slices) for measurement in part]


def _measure_slice(store: BlobStore, expected: Sequence[Digests]) -> list[Measurement]:
    return [measure(store, digests) for digests in expected]


def _slices(expected: Sequence[Digests], count: int) -> list[Sequence[Digests]]:
    """`expected` cut, in order, into about `count` runs of about equal bytes (a large blob runs alone)."""
    target = max(1, sum(digests.size for digests in expected) // count)
    slices: list[Sequence[Digests]] = []
    start, filled = 0, 0
    for end, digests in enumerate(expected, start=1):
        filled += max(1, digests.size)  # an empty blob still costs a read
        if filled >= target:
            slices.append(expected[start:end])
            start, filled = end, 0
    if start < len(expected):
        slices.append(expected[start:])
    return slices


def record_measurements(
    uow: UnitOfWork,
    measurements: Sequence[Measurement],
    *,
    actor: str,
    audit_id: str | None = None,
) -> list[FixityResult]:
    """Record each measurement: a check row, the blob's last status, and a log leaf for each failure.

    Every failure is appended to the log before any blob row is touched, and blobs are updated in digest
    order. Every writer takes the log head before blob rows, and blob rows in that order, so concurrent
    checks and sweeps wait for each other but never deadlock. The rows are written with one bulk INSERT and
    one bulk UPDATE, since an audit records hundreds of checks at a time.
    """
    ordered = sorted(measurements, key=lambda measurement: measurement.expected.blake3)
    log_indexes = {
        measurement.expected.blake3: _log_failure(uow, measurement, actor)
        for measurement in ordered
        if measurement.status != "ok"
    }
    results = [
        _result(measurement, actor, audit_id, log_indexes.get(measurement.expected.blake3))
        for measurement in ordered
    ]
    uow.blobs.record_fixity(
        [_check_row(result) for result in results], [_status_row(result) for result in results]
    )
    for measurement in ordered:
        if measurement.chunk_index is not None:  # intact bytes: what ranges of them are checked against
            uow.blobs.set_chunk_index(measurement.expected.blake3, measurement.chunk_index)
    for status, count in Counter(result.status for result in results).items():
        FIXITY_RESULTS.labels(status).inc(count)
    return results


def _result(
    measurement: Measurement, actor: str, audit_id: str | None, log_index: int | None
) -> FixityResult:
    return FixityResult(
        blake3=measurement.expected.blake3,
        status=measurement.status,
        expected=measurement.expected,
        found=measurement.found,
        checked_at=measurement.measured_at,
        checked_by=actor,
        log_index=log_index,
        audit_id=audit_id,
    )


def _check_row(result: FixityResult) -> FixityCheckRow:
    found = result.found
    return {
        "blob_blake3": result.blake3,
        "audit_id": result.audit_id,
        "checked_at": result.checked_at,
        "status": result.status,
        "found_blake3": found.blake3 if found else None,
        "found_sha256": found.sha256 if found else None,
        "found_size": found.size if found else None,
        "checked_by": result.checked_by,
        "log_index": result.log_index,
    }


def _status_row(result: FixityResult) -> BlobFixityRow:
    return {
        "blob_blake3": result.blake3,
        "fixity_status": result.status,
        "fixity_checked_at": result.checked_at,
    }


def _log_failure(uow: UnitOfWork, measurement: Measurement, actor: str) -> int:
    event = fixity_failed(
        expected=measurement.expected, found=measurement.found, time=measurement.measured_at, actor=actor
    )
    return append_event(uow.log, event)


def check_blob(uow: UnitOfWork, blake3: str, *, actor: str) -> FixityResult:
    """Re-read one blob from storage now and record the result; `BlobNotFound` for an unknown digest."""
    expected = uow.blobs.digests_of(blake3)
    if expected is None:
        raise BlobNotFound(blake3)
    [result] = record_measurements(uow, [measure(uow.store, expected)], actor=actor)
    return result


def last_fixity(uow: UnitOfWork, blob: Blob) -> FixityState | None:
    """The blob's last check (None when it was never checked)."""
    if blob.fixity_status is None:
        return None
    last = uow.blobs.last_check(blob.blake3)
    if last is None:
        return None
    return FixityState(status=last.status, checked_at=last.checked_at, log_index=last.log_index)
