"""`archive worker` processes on PostgreSQL: two of them share the captures, and one killed with SIGKILL in
the middle of a capture leaves it to the other, which records it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archive.db.capture_models import Capture
from archive.db.models import Version
from archive.db.session import Database
from archive.roles import Role
from tests.conftest import ROOT, Deployment, production_deployment
from tests.e2e.conftest import running_api
from tests.e2e.publishing import Publisher

pytestmark = pytest.mark.postgres
STALLED_SECONDS = 3
CAPTURES = 4
PAGE_SECONDS = 2


@pytest.fixture
def production(pg_database: Database, pg_url: str, s3_endpoint: str) -> Deployment:
    return production_deployment(pg_database, pg_url, s3_endpoint)


def worker_environment(deployment: Deployment, publisher: Publisher) -> dict[str, str]:
    settings = deployment.settings
    return {
        **os.environ,
        "ARCHIVE_DATABASE_URL": settings.database_url,
        "ARCHIVE_STORAGE_URL": settings.storage_url,
        "ARCHIVE_S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
        "ARCHIVE_S3_REGION": "us-east-1",
        "ARCHIVE_SIGNING_KEY_FILE": str(settings.signing_key_file),
        "ARCHIVE_CAPTURE_ALLOW_NETWORKS": publisher.network,
        "ARCHIVE_JOB_STALLED_SECONDS": str(STALLED_SECONDS),
        "ARCHIVE_EXTRACT_WORKERS": "1",
    }


@contextmanager
def workers(environment: dict[str, str], count: int, log: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    with log.open("ab") as logged:
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "archive", "worker"],
                cwd=ROOT,
                env=environment,
                stdout=logged,
                stderr=logged,
                start_new_session=True,
            )
            for _ in range(count)
        ]
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # its extraction processes with it
            process.wait(timeout=30)


def captures(deployment: Deployment) -> list[Capture]:
    with deployment.uow().reading() as uow:
        return list(uow.session.scalars(select(Capture).order_by(Capture.requested_at)))


def wait_until(predicate: Any, what: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, (
            f"timed out waiting until {what}; the workers said:\n{log.read_text()[-4000:]}"
        )
        time.sleep(0.05)


def test_a_worker_killed_mid_capture_leaves_it_to_another_that_records_it_once(
    production: Deployment, publisher: Publisher, tmp_path: Path
) -> None:
    log = tmp_path / "workers.log"
    key = uuid.uuid4().hex
    urls = [
        publisher.url(f"/slow?seconds={PAGE_SECONDS}&n={n}&key={key}", by_name=False) for n in range(CAPTURES)
    ]
    with running_api(production, run_jobs=False, capture_allow_networks=publisher.network) as api:
        for url in urls:  # queued by the API, which runs no jobs itself here
            asked = api.client.post("/v1/captures", json={"url": url}, headers=api.auth(Role.ARCHIVIST))
            assert asked.status_code == 202, asked.text
    environment = worker_environment(production, publisher)
    with workers(environment, 1, log) as (first,):
        wait_until(lambda: any(c.status == "running" for c in captures(production)), "a capture runs", log)
        running = next(c for c in captures(production) if c.status == "running")
        target = running.url.split(str(publisher.port), 1)[1]
        wait_until(lambda: publisher.asked(target) == 1, "the publisher is asked for the page", log)
        with workers(environment, 1, log):
            os.killpg(first.pid, signal.SIGKILL)  # mid-capture: the publisher takes 2 s to answer
            first.wait(timeout=30)
            wait_until(
                lambda: all(c.status == "done" for c in captures(production)), "every capture is done", log
            )

    done = {capture.id: capture for capture in captures(production)}
    assert done[running.id].attempts == 2  # taken up again after the first worker died
    assert sorted(capture.url for capture in done.values()) == sorted(urls)
    with production.uow().reading() as uow:
        versions = uow.session.execute(select(Version.document_id, Version.number)).all()
    assert sorted(versions) == sorted((c.document_id, c.version) for c in done.values())  # one version each
    assert len({c.document_id for c in done.values()}) == CAPTURES
    assert all(c.version == 1 for c in done.values())
    fetched = {c.id: publisher.asked(c.url.split(str(publisher.port), 1)[1]) for c in done.values()}
    assert fetched == {c.id: 2 if c.id == running.id else 1 for c in done.values()}
