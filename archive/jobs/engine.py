"""The job engine: background work as jobs of procrastinate, a maintained PostgreSQL job library.

On PostgreSQL, jobs live in the archive's own database (procrastinate's tables, installed by `archive db
upgrade`), are queued in the same transaction as the rows they belong to, and are run by `archive worker`
processes on any number of machines (and by `archive serve` itself unless `ARCHIVE_RUN_JOBS=false`).
A worker killed mid-job stops sending its heartbeat; after `ARCHIVE_JOB_STALLED_SECONDS` its jobs are run
again (the rows they belong to make a second run record its result once).

procrastinate has no SQLite connector: in the embedded deployment `archive serve` runs the same tasks with
the library's in-memory connector, in one process (the one holding the jobs lock beside the database), and
the capture, watch and audit rows are the durable record: at start every unfinished one is queued again.

Tasks are registered in a `TaskRegistry` (`archive.jobs.tasks` holds the archive's); each runs with the
`JobEnvironment` of the process running it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.jobs import Status
from procrastinate.testing import InMemoryConnector
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from archive.capture import Fetcher
from archive.config import Settings
from archive.services.job_queue import JobArgument
from archive.services.unit_of_work import SqlUnitOfWork, UnitOfWork

log = logging.getLogger("archive.jobs")
WORKER_CONCURRENCY = 4


class JobEnvironment(Protocol):
    """What a task runs with: the process's settings, units of work, fetcher and job queue."""

    @property
    def settings(self) -> Settings: ...
    @property
    def fetcher(self) -> Fetcher: ...
    @property
    def jobs(self) -> JobEngine: ...
    @property
    def stopping(self) -> threading.Event: ...
    def unit_of_work(self) -> SqlUnitOfWork: ...


TaskFunction = Callable[..., Any]


@dataclass(frozen=True)
class TaskSpec:
    """A task: its name (what jobs name), the function run with the environment and the job's arguments,
    how many times a failure is retried, and, for a periodic task, every how many seconds it runs."""

    name: str
    function: Callable[..., Any]
    retry: int = 0
    every_seconds: Callable[[Settings], int] | None = None


@dataclass
class TaskRegistry:
    specs: dict[str, TaskSpec] = field(default_factory=dict)

    def task(self, name: str, *, retry: int = 0) -> Callable[[TaskFunction], TaskFunction]:
        """Register `function(environment, **arguments)` as the task `name`."""

        def register(function: TaskFunction) -> TaskFunction:
            self.specs[name] = TaskSpec(name, function, retry)
            return function

        return register

    def periodic(self, name: str, every: Callable[[Settings], int]) -> Callable[[TaskFunction], TaskFunction]:
        """Register `function(environment)` to run every `every(settings)` seconds (1 to 59, or whole
        minutes), by one worker of the deployment each time."""

        def register(function: TaskFunction) -> TaskFunction:
            self.specs[name] = TaskSpec(name, function, every_seconds=every)
            return function

        return register


def cron_every(seconds: int) -> str:
    """procrastinate's cron (a sixth column for seconds) for "every `seconds`"."""
    if seconds < 60:
        return f"*/{max(1, seconds)} * * * * *"
    return f"*/{min(59, seconds // 60)} * * * *"


def postgres_conninfo(settings: Settings) -> str:
    url = make_url(settings.sqlalchemy_url()).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class JobEngine:
    """The archive's job queue (`archive.services.job_queue.JobQueue`) and the worker that runs it."""

    def __init__(self, settings: Settings, registry: TaskRegistry) -> None:
        self.settings = settings
        self.postgres = settings.uses_postgresql()
        self.environment: JobEnvironment | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        if self.postgres:
            conninfo = postgres_conninfo(settings)
            connector: procrastinate.BaseConnector = procrastinate.PsycopgConnector(
                conninfo=conninfo, min_size=1, max_size=WORKER_CONCURRENCY + 2
            )
            # Jobs are queued on the connection of the transaction they belong to; this app never opens a
            # pool of its own.
            self._deferring: procrastinate.App | None = procrastinate.App(
                connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo)
            )
        else:
            connector = InMemoryConnector()
            self._deferring = None
        self.app = procrastinate.App(connector=connector)
        for spec in registry.specs.values():
            self._register(spec)

    def _register(self, spec: TaskSpec) -> None:
        def run(**arguments: Any) -> Any:
            if self.environment is None:
                raise RuntimeError("the job engine runs tasks only once its worker has started")
            return spec.function(self.environment, **arguments)

        async def run_async(**arguments: Any) -> None:
            await run(**arguments)

        chosen = run_async if inspect.iscoroutinefunction(spec.function) else run
        chosen.__name__ = spec.name.replace(".", "_")
        task = self.app.task(name=spec.name, retry=spec.retry)(chosen)
        if spec.every_seconds is not None:
            cron = cron_every(spec.every_seconds(self.settings))
            self.app.periodic(cron=cron, periodic_id=spec.name)(task)  # type: ignore[arg-type]

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
        """Queue a job with the transaction open on `uow` (see `JobQueue.defer`)."""
        assert isinstance(uow, SqlUnitOfWork)
        options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock, "schedule_at": schedule_at}
        if self._deferring is not None:
            _defer_in_transaction(self._deferring, uow.session, task, options, arguments)
            return

        def after_commit(_session: Session) -> None:
            self._defer_in_memory(task, options, arguments)

        event.listen(uow.session, "after_commit", after_commit, once=True)

    def _defer_in_memory(self, task: str, options: dict[str, Any], arguments: dict[str, JobArgument]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # this process runs no jobs: the row is queued again by the one that does

        async def defer() -> None:
            with contextlib.suppress(AlreadyEnqueued):
                await self.app.configure_task(task, **options).defer_async(**arguments)

        future = asyncio.run_coroutine_threadsafe(defer(), loop)
        future.add_done_callback(_log_failure)

    async def retry_stalled_jobs(self) -> int:
        """Run again the jobs of workers that stopped sending heartbeats (killed, or their machine gone)."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=self.settings.job_stalled_seconds)
        for job in stalled:
            log.warning("job %s (%s) of a stalled worker is run again", job.id, job.task_name)
            try:
                await manager.retry_job(job)
            except ConnectorException:
                assert job.id is not None
                # A job for the same work already waits (its queueing lock): that one does it, and this
                # one ends, so that its lock no longer holds the jobs behind it.
                await manager.finish_job_by_id_async(job.id, status=Status.CANCELLED, delete_job=False)
        return len(list(stalled))

    async def run_worker(
        self,
        environment: JobEnvironment,
        *,
        on_start: Callable[[], Awaitable[None]] | None = None,
        install_signal_handlers: bool = False,
    ) -> None:
        """Run jobs until cancelled (or, with signal handlers, until SIGINT or SIGTERM)."""
        self.environment = environment
        self._loop = asyncio.get_running_loop()
        stalled = self.settings.job_stalled_seconds
        async with self.app.open_async():
            worker = asyncio.create_task(
                self.app.run_worker_async(
                    concurrency=WORKER_CONCURRENCY,
                    install_signal_handlers=install_signal_handlers,
                    listen_notify=self.postgres,
                    fetch_job_polling_interval=1.0 if self.postgres else 0.2,  # scheduled jobs are polled for
                    update_heartbeat_interval=max(0.5, stalled / 4),
                    stalled_worker_timeout=stalled,
                    delete_jobs="successful",
                )
            )
            if on_start is not None:
                await on_start()
            await worker


def _defer_in_transaction(
    app: procrastinate.App, session: Session, task: str, options: dict[str, Any], arguments: dict[str, Any]
) -> None:
    """Queue the job on the session's own connection, in a savepoint so that a job already waiting under
    the same queueing lock leaves the transaction usable."""
    try:
        with session.begin_nested():
            # Asking for the connection inside the nested transaction emits its SAVEPOINT (and, first,
            # the transaction's BEGIN), so the job is written inside the session's transaction.
            connection = session.connection().connection.driver_connection
            app.configure_task(task, connection=connection, **options).defer(**arguments)
    except AlreadyEnqueued:
        pass


def _log_failure(future: Any) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("a job could not be queued: %s", exc)


class JobsLock:
    """On SQLite, the one process that runs the jobs: the holder of an exclusive lock on a file beside the
    database (released by the system when the process ends, however it ends)."""

    def __init__(self, database_file: Path) -> None:
        self.path = database_file.with_name(database_file.name + ".jobs-lock")
        self._file: TextIO | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
