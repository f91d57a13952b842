"""`archive worker`: run the background jobs (captures, watches, audits) on PostgreSQL, on any machine."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from archive.capture import Fetcher, open_fetcher
from archive.cli.runtime import Runtime, err, fail
from archive.config import Settings
from archive.jobs.engine import JobEngine
from archive.jobs.runner import InProcessJobs
from archive.jobs.tasks import TASKS
from archive.services.unit_of_work import SqlUnitOfWork


@dataclass
class WorkerEnvironment:
    """What the worker's tasks run with: the command's runtime (its adapters), a fetcher and the engine."""

    runtime: Runtime
    fetcher: Fetcher
    jobs: JobEngine
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def unit_of_work(self) -> SqlUnitOfWork:
        return self.runtime.new_unit_of_work()


def worker() -> None:
    """Run background jobs until stopped (SIGINT or SIGTERM): on PostgreSQL, any number of these, on any
    machines. In the embedded SQLite deployment `archive serve` runs them itself."""
    from archive.api.observability import configure_logging  # noqa: PLC0415  (JSON logs, as the server's)

    with Runtime.load() as runtime:
        settings = runtime.settings
        if not settings.uses_postgresql():
            fail(
                "archive worker needs PostgreSQL (ARCHIVE_DATABASE_URL): with SQLite, `archive serve` "
                "runs the jobs itself"
            )
        runtime.database  # refused here, with what to run, unless migrated  # noqa: B018
        _ = (runtime.store, runtime.extractor, runtime.signer)  # opened once, before tasks share them
        environment = WorkerEnvironment(runtime, open_fetcher(settings), JobEngine(settings, TASKS))
        configure_logging()
        err.print("archive worker: running jobs (stop with Ctrl-C or SIGTERM)", highlight=False)
        asyncio.run(InProcessJobs(environment).run_until_stopped())
