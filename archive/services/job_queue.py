"""What the use cases ask of the job engine: to queue a job with the rows it belongs to.

The engine (`archive.jobs.engine`) answers it; the use cases know only this, so they queue work without
knowing which library runs it or where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the unit of work holds a queue, so its module is imported for types only
    from archive.services.unit_of_work import UnitOfWork

JobArgument = str | int | float | bool | None


class JobQueue(Protocol):
    def defer(
        self,
        uow: UnitOfWork,
        task: str,
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
        schedule_at: datetime | None = None,
        **arguments: JobArgument,
    ) -> None:
        """Queue a run of `task` with `arguments`, in the transaction open on `uow`: it is queued when that
        transaction commits and not at all when it rolls back. Jobs with one `lock` run one at a time; a
        `queueing_lock` already waiting makes this one a no-op; `schedule_at` holds it until then."""


@dataclass(frozen=True)
class Deferred:
    task: str
    lock: str | None
    queueing_lock: str | None
    schedule_at: datetime | None
    arguments: dict[str, JobArgument]


@dataclass
class RecordingQueue:
    """A queue that only remembers what it was asked to queue (for tests, and for a process that runs no
    jobs: the rows it wrote are queued again by the one that does)."""

    deferred: list[Deferred] = field(default_factory=list)

    def defer(
        self,
        uow: UnitOfWork,
        task: str,
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
        schedule_at: datetime | None = None,
        **arguments: JobArgument,
    ) -> None:
        self.deferred.append(Deferred(task, lock, queueing_lock, schedule_at, dict(arguments)))
