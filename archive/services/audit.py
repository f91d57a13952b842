"""Audits: a fixity sweep over every blob, shared by any number of workers.

Starting an audit lists every blob as a pending item in one INSERT … SELECT. Workers lease pending items in
batches with SELECT … FOR UPDATE SKIP LOCKED: on PostgreSQL each worker takes rows no other worker holds, so
no blob is checked twice however many threads, processes or machines share the sweep; SQLite ignores the
clause, and its write lock (taken at BEGIN) serialises the batches instead. A batch is committed together
with its results, so a worker that dies leaves its items pending for the next one. The audit is marked done
by a conditional UPDATE that succeeds once, for whichever worker finds nothing pending.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, case, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session
from ulid import ULID

from archive.db.models import Audit, AuditItem, Blob, FixityCheck, utcnow
from archive.db.repository import table_of
from archive.db.session import Database
from archive.digests import Digests
from archive.errors import ArchiveError, NotFound
from archive.services.fixity import FixityResult, measure_all, record_measurements
from archive.storage import BlobStore

log = logging.getLogger("archive.audit")

DEFAULT_BATCH_SIZE = 50
# A batch keeps its transaction open while it reads, and on SQLite that transaction holds the one write lock:
# the byte budget keeps a batch of large blobs short. A blob larger than the budget is a batch of its own.
BATCH_BYTE_BUDGET = 256 * 1024 * 1024
MAX_FAILURES_LISTED = 1000
ITEM_STATUSES = ("ok", "corrupt", "missing", "pending")
# Threads that read and hash a batch's blobs: one per core keeps every core hashing (hashlib and blake3
# release the GIL). More only contend on a local disk; for a remote store, whose reads overlap, pass more.
DEFAULT_WORKERS = max(2, os.cpu_count() or 1)
# How long a worker that finds nothing to lease waits before looking again, while others finish their batches.
IDLE_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class AuditFailure:
    blake3: str
    status: str
    checked_at: datetime
    log_index: int | None


@dataclass(frozen=True)
class AuditReport:
    id: str
    status: str
    requested_by: str
    started_at: datetime
    finished_at: datetime | None
    total: int
    counts: dict[str, int]
    failures: list[AuditFailure]

    @property
    def failed(self) -> int:
        return self.counts["corrupt"] + self.counts["missing"]


@dataclass(frozen=True)
class AuditProgress:
    """How far a sweep has come, in blobs and in bytes."""

    total: int
    checked: int
    total_bytes: int
    checked_bytes: int


@dataclass(frozen=True)
class BatchOutcome:
    """What one leased batch found (empty when nothing could be leased), and whether the audit is done."""

    counts: Counter[str] = field(default_factory=Counter)
    bytes_checked: int = 0
    audit_done: bool = False

    @property
    def checked(self) -> int:
        return sum(self.counts.values())


def start_audit(session: Session, actor: str) -> Audit:
    """A new audit with one pending item per blob; done at once when there are no blobs."""
    audit = Audit(id=str(ULID()), status="running", requested_by=actor, started_at=utcnow(), total=0)
    session.add(audit)
    session.flush()
    every_blob = select(literal(audit.id), Blob.blake3, literal("pending")).select_from(Blob)
    session.execute(insert(AuditItem).from_select(["audit_id", "blob_blake3", "status"], every_blob))
    audit.total = int(
        session.scalar(select(func.count()).select_from(AuditItem).where(AuditItem.audit_id == audit.id)) or 0
    )
    if audit.total == 0:
        audit.status, audit.finished_at = "done", audit.started_at
    session.flush()
    return audit


def unfinished_audits(session: Session) -> list[tuple[str, str]]:
    """The id and requester of every audit still running, oldest first."""
    rows = session.execute(
        select(Audit.id, Audit.requested_by).where(Audit.status == "running").order_by(Audit.started_at)
    ).all()
    return [(audit_id, requested_by) for audit_id, requested_by in rows]


def _require_audit(session: Session, audit_id: str) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFound(f"no audit with id {audit_id}", audit_id=audit_id)
    return audit


def get_audit_report(session: Session, audit_id: str) -> AuditReport:
    """The audit's state, its items counted per status, and its failures (the first thousand)."""
    audit = _require_audit(session, audit_id)
    counted = session.execute(
        select(AuditItem.status, func.count())
        .where(AuditItem.audit_id == audit_id)
        .group_by(AuditItem.status)
    ).all()
    counts = dict.fromkeys(ITEM_STATUSES, 0) | {status: int(number) for status, number in counted}
    failures = session.scalars(
        select(FixityCheck)
        .where(FixityCheck.audit_id == audit_id, FixityCheck.status != "ok")
        .order_by(FixityCheck.checked_at, FixityCheck.id)
        .limit(MAX_FAILURES_LISTED)
    ).all()
    return AuditReport(
        id=audit.id,
        status=audit.status,
        requested_by=audit.requested_by,
        started_at=audit.started_at,
        finished_at=audit.finished_at,
        total=audit.total,
        counts=counts,
        failures=[AuditFailure(f.blob_blake3, f.status, f.checked_at, f.log_index) for f in failures],
    )


def get_audit_progress(session: Session, audit_id: str) -> AuditProgress:
    _require_audit(session, audit_id)
    checked = AuditItem.status != "pending"
    total, done, total_bytes, done_bytes = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((checked, 1), else_=0)), 0),
            func.coalesce(func.sum(Blob.size), 0),
            func.coalesce(func.sum(case((checked, Blob.size), else_=0)), 0),
        )
        .select_from(AuditItem)
        .join(Blob, Blob.blake3 == AuditItem.blob_blake3)
        .where(AuditItem.audit_id == audit_id)
    ).one()
    return AuditProgress(int(total), int(done), int(total_bytes), int(done_bytes))


def _lease(session: Session, audit_id: str, size: int) -> list[Digests]:
    """Up to `size` pending items no other worker holds, locked until this transaction ends: what each
    blob should hash to (columns, not ORM rows, since a batch holds hundreds and they are only read)."""
    rows = session.execute(
        select(Blob.blake3, Blob.sha256, Blob.size)
        .select_from(AuditItem)
        .join(Blob, Blob.blake3 == AuditItem.blob_blake3)
        .where(AuditItem.audit_id == audit_id, AuditItem.status == "pending")
        .order_by(AuditItem.blob_blake3)
        .limit(size)
        .with_for_update(skip_locked=True, of=AuditItem)
    ).all()
    return [Digests(blake3=row.blake3, sha256=row.sha256, size=row.size) for row in rows]


def _within_budget(leased: list[Digests], budget: int) -> list[Digests]:
    """The first items whose blobs add up to at most `budget` bytes (at least one); the rest stay pending."""
    kept: list[Digests] = []
    total = 0
    for digests in leased:
        if kept and total + digests.size > budget:
            break
        kept.append(digests)
        total += digests.size
    return kept


def _mark_items(session: Session, audit_id: str, results: list[FixityResult]) -> None:
    """Set the leased items' status and time: one executemany for the whole batch (Core, not the ORM's
    bulk UPDATE, which spends more time per row than the database does)."""
    items = table_of(AuditItem)
    by_blob = update(items).where(
        items.c.audit_id == audit_id, items.c.blob_blake3 == bindparam("item_blake3")
    )
    session.execute(
        by_blob, [{"item_blake3": r.blake3, "status": r.status, "checked_at": r.checked_at} for r in results]
    )


def _finish_if_complete(session: Session, audit_id: str) -> bool:
    """Mark the audit done unless an item is still pending; True when it is done (by now or before).

    Items another worker has leased but not committed still read as pending, so only a worker that finds
    none finishes the audit, and the `status = 'running'` condition lets exactly one of them do it.
    """
    pending = exists().where(AuditItem.audit_id == audit_id, AuditItem.status == "pending")
    session.execute(
        update(Audit)
        .where(Audit.id == audit_id, Audit.status == "running", ~pending)
        .values(status="done", finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return session.scalar(select(Audit.status).where(Audit.id == audit_id)) == "done"


def check_next_batch(
    db: Database,
    store: BlobStore,
    audit_id: str,
    *,
    actor: str,
    batch_size: int,
    byte_budget: int = BATCH_BYTE_BUDGET,
    pool: Executor | None = None,
) -> BatchOutcome:
    """Lease a batch, check each blob (in `pool`'s threads when given), and commit the results with the
    batch (one unit of work)."""
    with db.unit_of_work() as session:
        _require_audit(session, audit_id)
        leased = _within_budget(_lease(session, audit_id, batch_size), byte_budget)
        if not leased:
            return BatchOutcome(audit_done=_finish_if_complete(session, audit_id))
        measured = measure_all(store, leased, pool)
        results = record_measurements(session, measured, actor=actor, audit_id=audit_id)
        _mark_items(session, audit_id, results)
        return BatchOutcome(
            counts=Counter(result.status for result in results),
            bytes_checked=sum(digests.size for digests in leased),
        )


def sweep_audit(
    db: Database,
    store: BlobStore,
    audit_id: str,
    *,
    actor: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    byte_budget: int = BATCH_BYTE_BUDGET,
    workers: int = DEFAULT_WORKERS,
    on_batch: Callable[[BatchOutcome], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Check batches of the audit until it is done (or `stop` is set); the number this worker checked.

    Each batch's blobs are read and hashed by `workers` threads. When nothing is left to lease but other
    workers still hold items, wait for them: should one of them fail, its batch returns to pending and is
    leased here.
    """
    stop = stop or threading.Event()
    checked = 0
    with ThreadPoolExecutor(workers, thread_name_prefix=f"audit-{audit_id}-read") as pool:
        while not stop.is_set():
            outcome = check_next_batch(
                db, store, audit_id, actor=actor, batch_size=batch_size, byte_budget=byte_budget, pool=pool
            )
            if outcome.checked:
                checked += outcome.checked
                if on_batch is not None:
                    on_batch(outcome)
            elif outcome.audit_done:
                break
            else:
                stop.wait(IDLE_POLL_SECONDS)
    return checked


class BackgroundSweeps:
    """Sweeps running in threads of the server process; `stop()` asks them to end after their batch.

    An audit whose sweep stops (the server shut down, or storage went away) stays running with its pending
    items, for `archive audit --audit ID`, another worker or the next server start to finish.
    """

    def __init__(self, db: Database, store: BlobStore, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.db = db
        self.store = store
        self.batch_size = batch_size
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, audit_id: str, actor: str) -> None:
        thread = threading.Thread(
            target=self._sweep, args=(audit_id, actor), name=f"audit-{audit_id}", daemon=True
        )
        with self._lock:
            self._threads = [running for running in self._threads if running.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _sweep(self, audit_id: str, actor: str) -> None:
        try:
            sweep_audit(
                self.db, self.store, audit_id, actor=actor, batch_size=self.batch_size, stop=self._stop
            )
        except ArchiveError as exc:
            log.error("audit %s paused: %s; `archive audit --audit %s` resumes it", audit_id, exc, audit_id)
        except Exception:
            # A thread has nobody to raise to: say so in the log, and leave the items pending.
            log.exception("audit %s stopped on an unexpected error", audit_id)

    def resume_unfinished(self) -> int:
        """Take up every audit left running (its server stopped mid-sweep); how many were taken up.

        Sweeps lease their items with `SKIP LOCKED`, so several servers resuming one audit share it."""
        try:
            with self.db.reading() as session:
                unfinished = unfinished_audits(session)
        except ArchiveError as exc:
            log.error("unfinished audits were not resumed: %s", exc)
            return 0
        for audit_id, requested_by in unfinished:
            log.info("resuming audit %s", audit_id)
            self.start(audit_id, requested_by)
        return len(unfinished)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
