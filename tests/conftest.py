"""Shared fixtures: the two deployments every API test runs against, and the servers they need.

- embedded: SQLite + a local folder (the zero-setup default);
- production: PostgreSQL (a throw-away database per test run) + an S3-compatible server over HTTP
  (moto's server mode, started by the test run on 127.0.0.1).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from sqlalchemy import text

from archive.config import Settings
from archive.db import migrate
from archive.db.models import Base
from archive.db.session import Database
from archive.extract import Extractor, extract_bytes
from archive.extract.model import Extraction
from archive.services.signing import LogSigner
from archive.services.unit_of_work import FixedAdapters, SqlUnitOfWork
from archive.storage import BlobStore, open_blob_store

ROOT = Path(__file__).resolve().parents[1]
# The shared test material (corpus, conformance vectors), checked out beside this one: read via `shared_path`.
SHARED = ROOT.parent / "shared"
# Signing keys of the PostgreSQL deployments (whose tests have no tmp_path of their own), removed at exit.
KEY_DIR = Path(tempfile.mkdtemp(prefix="archive-test-keys-"))
atexit.register(shutil.rmtree, KEY_DIR, ignore_errors=True)
PG_ADMIN_URL = os.environ.get("ARCHIVE_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# The S3 test server accepts any credentials; boto3 needs some to sign requests.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "archive-test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "archive-test-secret")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def shared_path(*parts: str) -> Path:
    """A file or folder of the shared test material (`../shared`, beside the checkout). When it is absent, the
    test that asks fails (or, asked at import, the collection of its module), naming what is missing: a test
    that needs it never passes or skips without it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"the tests need ../shared/{'/'.join(parts)} beside the checkout (looked for {path})",
            pytrace=False,
        )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server over HTTP (moto's server mode), in its own process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test process, dropped at the end."""
    name = f"archive_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database(pg_url: str) -> Iterator[Database]:
    """The throw-away database, migrated once for the session."""
    database = Database.from_settings(Settings(database_url=pg_url))
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


# The job library's tables, beside the archive's in the same database: a job left by one test must not hold
# a lock another test's jobs wait on.
JOB_TABLES = ("procrastinate_jobs", "procrastinate_periodic_defers", "procrastinate_workers")


def truncate_all(database: Database) -> None:
    tables = ", ".join([table.name for table in Base.metadata.sorted_tables] + list(JOB_TABLES))
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def new_bucket(endpoint: str) -> str:
    bucket = f"archive-{uuid.uuid4().hex[:16]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    return bucket


class InlineExtractor:
    """Extraction in the test's own process (the service runs it in worker processes)."""

    def extract(self, path: Path, media_type: str) -> Extraction:
        return extract_bytes(path.read_bytes(), media_type)


@dataclass
class Deployment:
    """One way to run the archive: its settings, database and blob store."""

    name: str
    settings: Settings
    db: Database
    store: BlobStore

    def uow(self, *, store: BlobStore | None = None, extractor: Extractor | None = None) -> SqlUnitOfWork:
        """A unit of work over this deployment (its store, or `store`), as the service would open one."""
        signer = LogSigner.load_or_create(self.settings.log_origin, self.settings.signing_key_file)
        adapters = FixedAdapters(
            store or self.store, extractor or InlineExtractor(), signer, self.settings.effective_spool_dir()
        )
        return SqlUnitOfWork(self.db, adapters)


def embedded_deployment(tmp_path: Path, **overrides: Any) -> Deployment:
    chosen: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'archive.db'}",
        "storage_url": f"file://{tmp_path / 'blobs'}",
        "signing_key_file": tmp_path / "log-signing.key",
        **overrides,
    }
    settings = Settings(**chosen)
    database = Database.from_settings(settings)
    migrate.upgrade(database.engine)
    return Deployment("embedded", settings, database, open_blob_store(settings))


def production_deployment(
    pg_database: Database, pg_url: str, s3_endpoint: str, **overrides: Any
) -> Deployment:
    truncate_all(pg_database)
    settings = Settings(
        database_url=pg_url,
        signing_key_file=KEY_DIR / f"{uuid.uuid4().hex}.key",
        storage_url=f"s3://{new_bucket(s3_endpoint)}/archive",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
        **overrides,
    )
    return Deployment("production", settings, pg_database, open_blob_store(settings))


@pytest.fixture(params=["embedded", "production"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """Each test using this runs twice: SQLite + filesystem, and PostgreSQL + S3."""
    if request.param == "embedded":
        deployed = embedded_deployment(tmp_path)
        yield deployed
        deployed.db.dispose()
    else:
        yield production_deployment(
            request.getfixturevalue("pg_database"),
            request.getfixturevalue("pg_url"),
            request.getfixturevalue("s3_endpoint"),
        )


def run_script(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A script of `scripts/` run as an operator runs it, with this interpreter. The limit only stops a
    script that hangs: the extraction evaluation takes minutes when the machine is busy."""
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=1200, check=False
    )


def scorer_report(script: Path, corpus: Path) -> dict[str, Any]:
    """What a scorer of `scripts/` prints with `--json` over the corpus (it must exit 0)."""
    completed = run_script(script, "--json", "--corpus", str(corpus))
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout)
    return result
