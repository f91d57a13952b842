"""The job engine's promises: on PostgreSQL a job is queued in the transaction of its rows (gone with a
rollback, there with a commit, a second one under the same queueing lock leaving the transaction usable);
in the embedded deployment one process runs the jobs, and it queues every unfinished row again at start."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.capture import NameTable
from archive.db.session import Database
from archive.jobs.engine import JobEngine, JobsLock
from archive.jobs.tasks import TASKS
from archive.roles import Role
from tests.conftest import Deployment, embedded_deployment, production_deployment
from tests.e2e.conftest import running_api


def job_rows(database: Database) -> list[tuple[str, str, str]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT task_name, queueing_lock, status FROM procrastinate_jobs ORDER BY id")
        ).all()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


@pytest.mark.postgres
def test_a_job_is_queued_with_the_transaction_of_its_rows(
    pg_database: Database, pg_url: str, s3_endpoint: str
) -> None:
    deployment = production_deployment(pg_database, pg_url, s3_endpoint)
    engine = JobEngine(deployment.settings, TASKS)
    uow = deployment.uow()
    with pytest.raises(RuntimeError), uow.writing():
        engine.defer(uow, "capture", queueing_lock="capture:rolled-back", capture_id="rolled-back")
        raise RuntimeError("the rows are not written")
    assert job_rows(pg_database) == []
    with uow.writing():
        engine.defer(uow, "capture", queueing_lock="capture:kept", capture_id="kept")
        engine.defer(uow, "capture", queueing_lock="capture:kept", capture_id="kept")  # already waiting
        uow.session.execute(text("SELECT 1"))  # the transaction is still usable
    assert job_rows(pg_database) == [("capture", "capture:kept", "todo")]


def test_one_process_runs_the_embedded_jobs(tmp_path: Path) -> None:
    first, second = JobsLock(tmp_path / "archive.db"), JobsLock(tmp_path / "archive.db")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_the_embedded_deployment_takes_up_its_rows_when_it_starts(tmp_path: Path) -> None:
    deployment: Deployment = embedded_deployment(tmp_path)
    try:
        nothing = NameTable({})  # no name resolves, and no lookup leaves the machine
        with running_api(deployment, run_jobs=False, key_prefix="before", resolver=nothing) as api:
            asked = api.client.post(
                "/v1/captures", json={"url": "http://unknown.test/"}, headers=api.auth(Role.ARCHIVIST)
            )
            assert asked.status_code == 202
            time.sleep(0.5)
            assert api.get(asked.headers["location"]).json()["status"] == "queued"  # nobody runs jobs
        with running_api(deployment, key_prefix="after", resolver=nothing) as api:
            deadline = time.monotonic() + 30
            while (status := api.get(asked.headers["location"]).json())["status"] in ("queued", "running"):
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert status["status"] == "failed"  # taken up, and refused by the resolver, not lost
            assert "not one this archive resolves" in status["error"]
    finally:
        deployment.db.dispose()
