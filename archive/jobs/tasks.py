"""The archive's tasks: what its jobs run, on either deployment.

To add a task: write `function(environment, **arguments)` here (its arguments plain JSON values), register
it with `@TASKS.task("name")`, and queue it from a use case with `jobs.defer(uow, "name", **arguments)` in
the transaction that writes the rows it belongs to. A periodic task is registered with
`@TASKS.periodic("name", every=lambda settings: seconds)` and takes the environment alone; every worker
schedules it and procrastinate runs each tick once for the deployment. Both deployments then run it:
`archive worker` (and `archive serve`) on PostgreSQL, `archive serve` in the embedded one; a task whose
rows must survive a restart of the embedded deployment is queued again from them by `requeue_unfinished`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from archive.config import Settings
from archive.db.models import utcnow
from archive.jobs.audit import sweep_audit
from archive.jobs.engine import JobEngine, JobEnvironment, TaskRegistry
from archive.jobs.publishing import TICKS_PER_INTERVAL, publication_from_settings
from archive.services.audit import unfinished_audits
from archive.services.captures import CAPTURE_TASK, requeue_captures, run_capture
from archive.services.publishing import publish_checkpoint
from archive.services.replication import REPLICATE_TASK, replicate_blob, requeue_replication
from archive.services.unit_of_work import SqlUnitOfWork
from archive.services.watches import WATCH_TASK, check_watch, requeue_watches

TASKS = TaskRegistry()
AUDIT_TASK = "audit.sweep"
REQUEUE_TASK = "jobs.requeue"
PUBLISH_TASK = "log.publish"
# A capture still queued this long after it was asked for, or a watch this overdue, has lost its job.
LOST_AFTER = timedelta(minutes=2)


@TASKS.task(CAPTURE_TASK)
def capture(environment: JobEnvironment, capture_id: str) -> None:
    run_capture(environment.unit_of_work(), environment.jobs, environment.fetcher, capture_id)


@TASKS.task(WATCH_TASK)
def watch_check(environment: JobEnvironment, watch_id: str) -> None:
    check_watch(environment.unit_of_work(), environment.jobs, environment.fetcher, watch_id)


@TASKS.task(REPLICATE_TASK, retry=3)
def replicate(environment: JobEnvironment, blake3: str) -> None:
    """Copy an archived blob to the replica (verified on both sides)."""
    replicate_blob(environment.unit_of_work(), blake3)


@TASKS.task(AUDIT_TASK)
def audit_sweep(environment: JobEnvironment, audit_id: str, actor: str) -> None:
    """Check an audit's blobs until none is left (other jobs and `archive audit` share it); when the
    process stops, its items stay pending for the audit's next job."""
    sweep_audit(environment.unit_of_work, audit_id, actor=actor, stop=environment.stopping)


def queue_audit(uow: SqlUnitOfWork, jobs: JobEngine, audit_id: str, actor: str) -> None:
    jobs.defer(
        uow,
        AUDIT_TASK,
        lock=f"audit:{audit_id}",
        queueing_lock=f"audit:{audit_id}",
        audit_id=audit_id,
        actor=actor,
    )


def requeue_unfinished(environment: JobEnvironment, *, lost_only: bool) -> None:
    """Queue again the jobs of unfinished rows: every one (when a process starts running jobs: the
    embedded deployment's queue lives in memory, and rows written before jobs existed have none), or those
    whose job looks lost (`lost_only`, periodically)."""
    uow = environment.unit_of_work()
    jobs = environment.jobs
    before = utcnow() - LOST_AFTER if lost_only else None
    requeue_captures(uow, jobs, requested_before=before)
    requeue_watches(uow, jobs, overdue_before=before)
    with uow.writing():  # a job already waiting for an audit makes this a no-op (its queueing lock)
        for audit_id, actor in unfinished_audits(uow):
            queue_audit(uow, jobs, audit_id, actor)
    requeue_replication(uow)


def _requeue_every(settings: Settings) -> int:
    """Half the stalled time: a dead worker's jobs run again within one and a half times it."""
    return max(1, min(59, int(settings.job_stalled_seconds / 2)))


@TASKS.periodic(REQUEUE_TASK, every=_requeue_every)
async def requeue(environment: JobEnvironment, timestamp: int) -> None:
    """Run again the jobs of workers that died, and queue again work whose job was lost."""
    engine = environment.jobs
    if engine.postgres:
        await engine.retry_stalled_jobs()
    # The embedded queue holds only what this process queued: rows other processes wrote are taken up here.
    await asyncio.to_thread(requeue_unfinished, environment, lost_only=engine.postgres)


def _publish_every(settings: Settings) -> int:
    return max(1, min(59, int(settings.checkpoint_interval / TICKS_PER_INTERVAL)))


@TASKS.periodic(PUBLISH_TASK, every=_publish_every)
async def publish(environment: JobEnvironment, timestamp: int) -> None:
    """Offer the newest checkpoint to the witnesses and the time-stamping authority whose turn it is (none
    is configured: nothing to do)."""
    publication = publication_from_settings(environment.settings)
    if publication.active:
        await asyncio.to_thread(publish_checkpoint, environment.unit_of_work(), publication)
