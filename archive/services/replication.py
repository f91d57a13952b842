"""A second copy of every blob (`ARCHIVE_REPLICA_URL`), made by a job once the blob is archived, checked by
every audit beside the primary copy, and each copy repaired from the other when it is found corrupt or
missing.

Copies are verified both ways: the bytes read from the source are hashed as they are spooled and copied
only when they are the archived ones; the copy is read back and hashed before it is recorded. A repair is a
`blob.repaired` leaf of the log (which copy, what was found there, from which copy it was written again),
beside the fixity rows and `fixity.failed` leaf the primary's finding already makes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from archive.db.models import utcnow
from archive.digests import Digests, SpooledUpload, UploadSpool
from archive.errors import BlobNotFound, StorageUnavailable
from archive.ledger.entries import blob_repaired
from archive.services.fixity import (
    FixityResult,
    Measurement,
    check_blob,
    measure,
    measure_all,
    record_measurements,
)
from archive.services.log import append_event
from archive.services.unit_of_work import SqlUnitOfWork, UnitOfWork
from archive.storage import BlobStore

log = logging.getLogger("archive.replication")

REPLICATE_TASK = "replicate.blob"
Copy = Literal["primary", "replica"]


def queue_replication(uow: UnitOfWork, blake3: str) -> None:
    """Queue the blob's copy to the replica with the transaction that archives it (nothing without one)."""
    if uow.replica is not None:
        uow.jobs.defer(uow, REPLICATE_TASK, queueing_lock=f"replicate:{blake3}", blake3=blake3)


def copy_verified(
    source: BlobStore, target: BlobStore, expected: Digests, media_type: str, spool_dir: Path | None
) -> Measurement:
    """Write the archived bytes of `source` over whatever `target` holds, then read the copy back: what it
    holds now. `BlobNotFound` or a mismatch from the source copies nothing (`found` says what was read)."""
    spooled = _spool(source, expected, spool_dir)
    if spooled is None or spooled.digests != expected:
        found = None if spooled is None else spooled.digests
        if spooled is not None:
            spooled.discard()
        return Measurement(expected=expected, found=found, measured_at=utcnow())
    try:
        target.replace(spooled, media_type)
    finally:
        spooled.discard()
    return measure(target, expected)


def _spool(source: BlobStore, expected: Digests, spool_dir: Path | None) -> SpooledUpload | None:
    try:
        with UploadSpool(spool_dir, None) as spool:
            for chunk in source.read(expected.blake3):
                spool.write(chunk)
            return spool.finish()
    except BlobNotFound:
        return None


def replicate_blob(uow: SqlUnitOfWork, blake3: str) -> str | None:
    """Copy one archived blob to the replica unless it holds it already; the replica's status for it
    (None: no replica, or no such blob). Bytes are copied outside any transaction."""
    replica = uow.replica
    if replica is None:
        return None
    with uow.reading():
        blob = uow.blobs.get(blake3)
        if blob is None or uow.governance.purge_of_blob(blake3) is not None:
            return None  # purged since it was queued: its bytes are gone from both copies on purpose
        expected, media_type = Digests(blob.blake3, blob.sha256, blob.size), blob.media_type
    held = measure(replica, expected)
    copied = held.status != "ok"
    if copied:
        held = copy_verified(uow.store, replica, expected, media_type, uow.spool_dir)
    with uow.writing():
        uow.replicas.mark(blake3, held.status, checked_at=held.measured_at, copied=copied)
    return held.status


def requeue_replication(uow: SqlUnitOfWork, limit: int = 1000) -> int:
    """Queue the copy of blobs the replica has no record of (archived by a process that runs no jobs, or
    whose job was lost); how many."""
    if uow.replica is None:
        return 0
    with uow.writing():
        pending = uow.replicas.unreplicated(limit)
        for blake3 in pending:
            queue_replication(uow, blake3)
    return len(pending)


@dataclass(frozen=True)
class Repair:
    blake3: str
    copy: Copy
    found: Digests | None
    status: str
    log_index: int


def reconcile_copies(
    uow: SqlUnitOfWork,
    primary: Sequence[FixityResult],
    *,
    actor: str,
    audit_id: str | None = None,
    pool: Executor | None = None,
) -> tuple[list[FixityResult], list[Repair]]:
    """Check the replica's copies of the blobs whose primary copies were just checked (`primary`, in the
    caller's transaction) and repair each bad copy from a good one: the primary's results as they stand
    after the repairs, and the repairs made."""
    replica = uow.replica
    if replica is None:
        return list(primary), []
    try:
        held = measure_all(replica, [result.expected for result in primary], pool)
    except StorageUnavailable as exc:  # an outage says nothing about the copies: the next audit checks them
        log.warning("the replica is unavailable; this batch's copies there are not checked: %s", exc.detail)
        return list(primary), []
    final: list[FixityResult] = []
    repairs: list[Repair] = []
    for result, copy in zip(primary, held, strict=True):
        repaired, repair = _reconcile_one(uow, result, copy, actor=actor, audit_id=audit_id)
        final.append(repaired)
        repairs.extend([repair] if repair is not None else [])
    return final, repairs


def _reconcile_one(
    uow: SqlUnitOfWork, result: FixityResult, held: Measurement, *, actor: str, audit_id: str | None
) -> tuple[FixityResult, Repair | None]:
    replica = uow.replica
    assert replica is not None
    media_type = _media_type(uow, result.blake3)
    if result.status == "ok" and held.status == "ok":
        uow.replicas.mark(result.blake3, "ok", checked_at=held.measured_at, copied=False)
        return result, None
    if result.status == "ok":  # the replica's copy is bad: write it again from the primary
        again = copy_verified(uow.store, replica, result.expected, media_type, uow.spool_dir)
        uow.replicas.mark(result.blake3, again.status, checked_at=again.measured_at, copied=True)
        return result, _logged(uow, "replica", held, again, actor)
    if held.status != "ok":  # both copies bad: nothing to repair from; the findings stand
        uow.replicas.mark(result.blake3, held.status, checked_at=held.measured_at, copied=False)
        return result, None
    again = copy_verified(replica, uow.store, result.expected, media_type, uow.spool_dir)
    uow.replicas.mark(result.blake3, "ok", checked_at=held.measured_at, copied=False)
    [after] = record_measurements(
        uow, [again], actor=f"{actor}, repaired from the replica", audit_id=audit_id
    )
    found = Measurement(result.expected, result.found, result.checked_at)
    return after, _logged(uow, "primary", found, again, actor)


def _logged(
    uow: SqlUnitOfWork, copy: Copy, found: Measurement, again: Measurement, actor: str
) -> Repair | None:
    """The repair as a log leaf, once the copy written reads back right (else the finding stands alone)."""
    if again.status != "ok":
        return None
    event = blob_repaired(
        expected=found.expected, copy=copy, found=found.found, time=again.measured_at, actor=actor
    )
    index = append_event(uow.log, event)
    return Repair(found.expected.blake3, copy, found.found, again.status, index)


def _media_type(uow: SqlUnitOfWork, blake3: str) -> str:
    blob = uow.blobs.get(blake3)
    return blob.media_type if blob is not None else "application/octet-stream"


@dataclass(frozen=True)
class CheckedNow:
    """One blob checked now: the primary copy's result (after any repair), what the replica holds of it
    (None: no replica configured, or it could not be reached), and the repair made, if any."""

    result: FixityResult
    replica: str | None
    repair: Repair | None


def check_both_copies(uow: SqlUnitOfWork, blake3: str, *, actor: str) -> CheckedNow:
    """Re-read a blob's primary copy now and, when a replica is configured, its replica copy too,
    repairing a bad copy from a good one as an audit does (in the caller's transaction). A purged blob is
    reported as purged (with the purge's leaf), never read: its absence is no failure."""
    purge = uow.governance.purge_of_blob(blake3)
    expected = uow.blobs.digests_of(blake3)
    if purge is not None and expected is not None:
        return CheckedNow(
            FixityResult(blake3, "purged", expected, None, utcnow(), actor, purge.log_index), None, None
        )
    result = check_blob(uow, blake3, actor=actor)
    if uow.replica is None:
        return CheckedNow(result, None, None)
    [final], repairs = reconcile_copies(uow, [result], actor=actor)
    row = uow.replicas.get(blake3)
    held = row.status if row is not None and row.checked_at >= result.checked_at else None
    return CheckedNow(final, held, repairs[0] if repairs else None)
