"""Real outages: the database server or the S3 server stopped under a running service, then started again.

Uploads answer 503 with Retry-After within a bounded time, /readyz names the dependency that is down,
nothing half-written remains, and the service recovers by itself when the dependency returns.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx2
import pytest

from tests.conftest import free_port, wait_for_port
from tests.e2e.server import run_archive, serving

OUTAGE_ANSWER_WITHIN = 20.0  # seconds: the bound on how long a request may hang on a dead dependency


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of this test's own, which it may stop and start without harming anyone."""

    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), _pg_bin("pg_ctl"), "-D", str(self.data), *args], check=True, capture_output=True
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.data.parent / "log"), "-w", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "immediate", "-w", "stop")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or name]
    return found[-1]


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: there, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    folder = Path(tempfile.mkdtemp(prefix="archive-pg-"))
    folder.chmod(0o777)
    server = PrivatePostgres(folder / "data", free_port())
    subprocess.run(
        [*_as_postgres(), _pg_bin("initdb"), "-D", str(server.data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    server.start()
    try:
        yield server
    finally:
        subprocess.run(
            [*_as_postgres(), _pg_bin("pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def timed_upload(client: httpx2.Client, data: bytes) -> tuple[httpx2.Response, float]:
    started = time.monotonic()
    response = client.post("/v1/documents", files={"file": ("a.bin", data)})
    return response, time.monotonic() - started


def spool_files(folder: Path) -> list[Path]:
    return list(folder.rglob("upload-*.part"))


@pytest.mark.postgres
def test_the_database_stops_and_comes_back(private_postgres: PrivatePostgres, tmp_path: Path) -> None:
    env = {"ARCHIVE_DATABASE_URL": private_postgres.url, "ARCHIVE_DB_CONNECT_TIMEOUT": "2"}
    assert run_archive(tmp_path, "db", "upgrade", **env).returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "o", **env).stdout.strip()
    with (
        serving(tmp_path, **env) as server,
        httpx2.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client,
    ):
        before, _ = timed_upload(client, b"before the outage")
        assert before.status_code == 201

        private_postgres.stop()
        during, elapsed = timed_upload(client, b"during the outage")
        assert during.status_code == 503, during.text
        assert during.headers["retry-after"].isdigit()
        assert elapsed < OUTAGE_ANSWER_WITHIN
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] != "ok"
        assert ready.json()["checks"]["storage"] == "ok"
        assert spool_files(tmp_path) == []

        private_postgres.start()
        after, _ = timed_upload(client, b"after the outage")
        assert after.status_code == 201, after.text
        assert client.get("/readyz").status_code == 200
        listed = client.get("/v1/documents").json()["documents"]
        assert len(listed) == 2, "the upload refused during the outage left nothing"


@pytest.mark.s3
def test_the_s3_server_stops_and_comes_back(tmp_path: Path) -> None:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"

    def start_s3() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port)
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="outage-test")
        return process

    env = {
        "ARCHIVE_STORAGE_URL": "s3://outage-test/archive",
        "ARCHIVE_S3_ENDPOINT_URL": endpoint,
        "ARCHIVE_S3_REGION": "us-east-1",
        "ARCHIVE_S3_CONNECT_TIMEOUT": "1",
        "ARCHIVE_S3_READ_TIMEOUT": "5",
        "ARCHIVE_S3_MAX_ATTEMPTS": "2",
    }
    s3 = start_s3()
    try:
        assert run_archive(tmp_path, "db", "upgrade", **env).returncode == 0
        key = run_archive(
            tmp_path, "keys", "create", "--role", "archivist", "--name", "o", **env
        ).stdout.strip()
        with (
            serving(tmp_path, **env) as server,
            httpx2.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
            ) as client,
        ):
            before, _ = timed_upload(client, b"stored before the outage")
            assert before.status_code == 201
            blob_url = f"/v1/blobs/{before.json()['blake3']}"

            s3.terminate()
            s3.wait()
            during, elapsed = timed_upload(client, b"refused during the outage")
            assert during.status_code == 503, during.text
            assert during.headers["retry-after"].isdigit()
            assert elapsed < OUTAGE_ANSWER_WITHIN
            read = client.get(blob_url)
            assert read.status_code == 503, "a read with storage down is 503, not 500"
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["storage"] != "ok"
            assert ready.json()["checks"]["database"] == "ok"
            assert len(client.get("/v1/documents").json()["documents"]) == 1, "no row for the refused upload"
            assert spool_files(tmp_path) == []

            s3 = start_s3()  # an in-memory server: it comes back empty, with its bucket made again
            after, _ = timed_upload(client, b"stored after the outage")
            assert after.status_code == 201, after.text
            assert client.get("/readyz").status_code == 200
    finally:
        s3.terminate()
        s3.wait()
