"""Running an audit's sweep: leasing batches of its items, checking their blobs, recording the results.

See `archive.services.audit` for how the items are shared between workers; here each batch is one
transaction of its own unit of work, so threads, processes and machines sweep one audit side by side.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from archive.digests import Digests
from archive.services.audit import require_audit
from archive.services.fixity import measure_all, record_measurements
from archive.services.replication import reconcile_copies
from archive.services.unit_of_work import SqlUnitOfWork

log = logging.getLogger("archive.audit")

SqlUnitOfWorkFactory = Callable[[], SqlUnitOfWork]
DEFAULT_BATCH_SIZE = 50
# A batch keeps its transaction open while it reads, and on SQLite that transaction holds the one write lock:
# the byte budget keeps a batch of large blobs short. A blob larger than the budget is a batch of its own.
BATCH_BYTE_BUDGET = 256 * 1024 * 1024
# Threads that read and hash a batch's blobs: one per core keeps every core hashing (hashlib and blake3
# release the GIL). More only contend on a local disk; for a remote store, whose reads overlap, pass more.
DEFAULT_WORKERS = max(2, os.cpu_count() or 1)
# How long a worker that finds nothing to lease waits before looking again, while others finish their batches.
IDLE_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class BatchOutcome:
    """What one leased batch found (empty when nothing could be leased), and whether the audit is done."""

    counts: Counter[str] = field(default_factory=Counter)
    bytes_checked: int = 0
    audit_done: bool = False

    @property
    def checked(self) -> int:
        return sum(self.counts.values())


def within_budget(leased: list[Digests], budget: int) -> list[Digests]:
    """The first items whose blobs add up to at most `budget` bytes (at least one); the rest stay pending."""
    kept: list[Digests] = []
    total = 0
    for digests in leased:
        if kept and total + digests.size > budget:
            break
        kept.append(digests)
        total += digests.size
    return kept


def check_next_batch(
    uow: SqlUnitOfWork,
    audit_id: str,
    *,
    actor: str,
    batch_size: int,
    byte_budget: int = BATCH_BYTE_BUDGET,
    pool: Executor | None = None,
) -> BatchOutcome:
    """Lease a batch, check each blob (in `pool`'s threads when given), and commit the results with the
    batch (one transaction)."""
    with uow.writing():
        require_audit(uow, audit_id)
        leased = within_budget(uow.audits.lease(audit_id, batch_size), byte_budget)
        if not leased:
            return BatchOutcome(audit_done=uow.audits.finish_if_complete(audit_id))
        measured = measure_all(uow.store, leased, pool)
        results = record_measurements(uow, measured, actor=actor, audit_id=audit_id)
        # With a replica, its copies are checked too and each bad copy written again from a good one.
        results, _ = reconcile_copies(uow, results, actor=actor, audit_id=audit_id, pool=pool)
        uow.audits.mark_items(audit_id, [(r.blake3, r.status, r.checked_at) for r in results])
        return BatchOutcome(
            counts=Counter(result.status for result in results),
            bytes_checked=sum(digests.size for digests in leased),
        )


def sweep_audit(
    new_uow: SqlUnitOfWorkFactory,
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
    uow = new_uow()
    with ThreadPoolExecutor(workers, thread_name_prefix=f"audit-{audit_id}-read") as pool:
        while not stop.is_set():
            outcome = check_next_batch(
                uow, audit_id, actor=actor, batch_size=batch_size, byte_budget=byte_budget, pool=pool
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
