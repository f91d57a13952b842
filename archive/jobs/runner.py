"""Running jobs inside a process: `archive serve`'s share (unless `ARCHIVE_RUN_JOBS=false`), and the whole
of `archive worker`.

On PostgreSQL every such process is a procrastinate worker over the one queue in the database. On SQLite
the queue lives in memory, so one process of the deployment runs it (the holder of the jobs lock beside the
database file), and at its start every unfinished capture, watch and audit is queued again from its row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from sqlalchemy.engine import make_url

from archive.jobs.engine import JobEnvironment, JobsLock
from archive.jobs.tasks import requeue_unfinished

log = logging.getLogger("archive.jobs")


class InProcessJobs:
    """The worker of one process, started and stopped with it."""

    def __init__(self, environment: JobEnvironment) -> None:
        self.environment = environment
        self._task: asyncio.Task[None] | None = None
        self._lock: JobsLock | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_until_stopped(self) -> None:
        """`archive worker`: run jobs until SIGINT or SIGTERM, then finish the jobs in hand."""
        try:
            await self.start(install_signal_handlers=True)
            if self._task is not None:
                await self._task
        finally:
            await self.stop()

    async def start(self, *, install_signal_handlers: bool = False) -> bool:
        """Start running jobs in this event loop; False when this process is not the one to run them."""
        settings = self.environment.settings
        engine = self.environment.jobs
        if not engine.postgres:
            self._lock = JobsLock(_sqlite_file(settings.sqlalchemy_url()))
            if not self._lock.acquire():
                log.info("another process of this archive runs its jobs (it holds %s)", self._lock.path)
                self._lock = None
                return False
        started = asyncio.Event()

        async def on_start() -> None:
            # The embedded queue starts empty: fill it from every unfinished row. PostgreSQL's is durable:
            # only work whose job looks lost (and audits, which a job may have left running) is queued.
            await asyncio.to_thread(requeue_unfinished, self.environment, lost_only=engine.postgres)
            started.set()

        self._task = asyncio.create_task(
            engine.run_worker(
                self.environment, on_start=on_start, install_signal_handlers=install_signal_handlers
            )
        )
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({self._task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._task.done():
            self._task.result()  # the worker failed to start: say why
        return True

    async def stop(self) -> None:
        """Ask running tasks to end (an audit after its batch), stop the worker, release the lock."""
        self.environment.stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    assert database
    return Path(database)
