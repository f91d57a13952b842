"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from archive.config import Settings
from archive.db import migrate
from archive.db.session import Database
from archive.errors import DatabaseNotMigrated
from tests.conftest import PG_ADMIN_URL, ROOT


def alembic(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    name = f"archive_migrations_{os.getpid()}_{abs(hash(str(tmp_path))) % 10**8}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: _drop(name))
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def _drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_alembic_upgrade_then_check(empty_database_url: str) -> None:
    upgraded = alembic(empty_database_url, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    checked = alembic(empty_database_url, "check")
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr


def test_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    database = Database.from_settings(Settings(database_url=empty_database_url))
    try:
        migrate.upgrade(database.engine)
        assert migrate.current_revision(database.engine) == migrate.head_revision()
        migrate.upgrade(database.engine, "head")  # idempotent
        command.downgrade(migrate.alembic_config(database.engine), "base")
        archive_tables = {  # the job library's tables are installed beside the migrations, not by them
            name
            for name in inspect(database.engine).get_table_names()
            if not name.startswith("procrastinate_")
        }
        assert archive_tables <= {"alembic_version"}
        migrate.upgrade(database.engine)
        assert {"blobs", "documents", "versions", "api_keys"} <= set(
            inspect(database.engine).get_table_names()
        )
    finally:
        database.dispose()


def test_unmigrated_database_is_refused_with_what_to_run(empty_database_url: str) -> None:
    database = Database.from_settings(Settings(database_url=empty_database_url))
    try:
        with pytest.raises(DatabaseNotMigrated, match="archive db upgrade"):
            migrate.require_migrated(database.engine)
    finally:
        database.dispose()


def test_digest_checks_hold_in_the_database(empty_database_url: str) -> None:
    database = Database.from_settings(Settings(database_url=empty_database_url))
    try:
        migrate.upgrade(database.engine)
        insert = text(
            "INSERT INTO blobs (blake3, sha256, size, media_type, created_at) "
            "VALUES (:b, :s, 1, 'text/plain', '2026-01-01 00:00:00')"
        )
        good = "a" * 64
        for bad in ("A" * 64, "g" * 64, "a" * 63):
            with pytest.raises(IntegrityError), database.engine.begin() as connection:
                connection.execute(insert, {"b": bad, "s": good})
        with database.engine.begin() as connection:
            connection.execute(insert, {"b": good, "s": good})
        with pytest.raises(IntegrityError), database.engine.begin() as connection:
            connection.execute(insert, {"b": "b" * 64, "s": good})  # sha256 is unique
    finally:
        database.dispose()
