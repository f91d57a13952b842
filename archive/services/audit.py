"""Audits: a fixity sweep over every blob, shared by any number of workers (`archive.jobs.audit` runs it).

Starting an audit lists every blob as a pending item in one INSERT … SELECT. Workers lease pending items in
batches with SELECT … FOR UPDATE SKIP LOCKED: on PostgreSQL each worker takes rows no other worker holds, so
no blob is checked twice however many threads, processes or machines share the sweep; SQLite ignores the
clause, and its write lock (taken at BEGIN) serialises the batches instead. A batch is committed together
with its results, so a worker that dies leaves its items pending for the next one. The audit is marked done
by a conditional UPDATE that succeeds once, for whichever worker finds nothing pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ulid import ULID

from archive.db.models import Audit, utcnow
from archive.errors import NotFound
from archive.services.unit_of_work import SqlUnitOfWork

MAX_FAILURES_LISTED = 1000
ITEM_STATUSES = ("ok", "corrupt", "missing", "pending")


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


def start_audit(uow: SqlUnitOfWork, actor: str) -> Audit:
    """A new audit with one pending item per blob; done at once when there are no blobs."""
    audit = Audit(id=str(ULID()), status="running", requested_by=actor, started_at=utcnow(), total=0)
    audit.total = uow.audits.add(audit)
    if audit.total == 0:
        audit.status, audit.finished_at = "done", audit.started_at
    uow.audits.flush()
    return audit


def unfinished_audits(uow: SqlUnitOfWork) -> list[tuple[str, str]]:
    """The id and requester of every audit still running, oldest first."""
    return uow.audits.unfinished()


def require_audit(uow: SqlUnitOfWork, audit_id: str) -> Audit:
    audit = uow.audits.get(audit_id)
    if audit is None:
        raise NotFound(f"no audit with id {audit_id}", audit_id=audit_id)
    return audit


def get_audit_report(uow: SqlUnitOfWork, audit_id: str) -> AuditReport:
    """The audit's state, its items counted per status, and its failures (the first thousand)."""
    audit = require_audit(uow, audit_id)
    counts = dict.fromkeys(ITEM_STATUSES, 0) | uow.audits.item_counts(audit_id)
    purged = uow.governance.purged_count()  # not checked: their bytes were removed on purpose
    if purged:
        counts["purged"] = purged
    failures = uow.audits.failures(audit_id, MAX_FAILURES_LISTED)
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


def get_audit_progress(uow: SqlUnitOfWork, audit_id: str) -> AuditProgress:
    require_audit(uow, audit_id)
    return AuditProgress(*uow.audits.progress(audit_id))
