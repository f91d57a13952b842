"""A database backup restored into a scratch database, for the restore drill: the backup taken the way an
operator takes one (the SQLite online backup API; `pg_dump` in its custom format, restored with
`pg_restore` into a new database on the same server), used, then removed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from archive.errors import ConfigurationError

PG_TOOL_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class ScratchDatabase:
    url: str
    backup: Path
    how: str


@contextmanager
def restored_backup(
    database_url: str, work_dir: Path, backup: Path | None = None
) -> Iterator[ScratchDatabase]:
    """Back the database up into `work_dir` (or take `backup`, one made before: a SQLite file, or a
    `pg_dump --format=custom` file) and restore it as a scratch database, removed when the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield _sqlite_copy(str(url.database), work_dir, backup)
        return
    with _postgres_copy(database_url, work_dir, backup) as scratch:
        yield scratch


def _sqlite_copy(source: str, work_dir: Path, given: Path | None) -> ScratchDatabase:
    backup, how = given or work_dir / "backup.db", f"the backup {given}"
    if given is None:
        how = "sqlite3 online backup"
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(backup)) as copy:
            live.backup(copy)  # a consistent copy while the archive keeps writing
    scratch = work_dir / "restored.db"
    shutil.copyfile(backup, scratch)  # the backup itself is never opened for writing
    return ScratchDatabase(f"sqlite:///{scratch}", backup, how)


@contextmanager
def _postgres_copy(database_url: str, work_dir: Path, given: Path | None) -> Iterator[ScratchDatabase]:
    url = make_url(database_url).set(drivername="postgresql")
    plain = url.render_as_string(hide_password=False)
    # The tools get the password in their environment, never on a command line others can list.
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    bare = url.set(password=None)
    backup, how = given or work_dir / "backup.dump", f"the backup {given}, pg_restore"
    if given is None:
        how = "pg_dump --format=custom, pg_restore"
        dump = ["pg_dump", "--format=custom", "--no-owner", f"--file={backup}"]
        _run([*dump, f"--dbname={bare.render_as_string()}"], env)
    name = f"{url.database}_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    scratch = url.set(database=name).render_as_string(hide_password=False)
    try:
        restore = ["pg_restore", "--no-owner", "--exit-on-error"]
        _run([*restore, f"--dbname={bare.set(database=name).render_as_string()}", str(backup)], env)
        yield ScratchDatabase(scratch, backup, how)
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise ConfigurationError(f"the restore drill needs {command[0]} (PostgreSQL's client tools) on PATH")
    done = subprocess.run(  # noqa: S603  (a fixed program found on PATH; no shell)
        command, capture_output=True, text=True, timeout=PG_TOOL_TIMEOUT_SECONDS, check=False, env=env
    )
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise ConfigurationError(f"{command[0]} failed: {reason[0]}")
