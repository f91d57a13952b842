"""Alembic, driven from code: `archive db upgrade`, and the check that refuses an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from procrastinate.schema import SchemaManager
from sqlalchemy import Engine, inspect

import archive
from archive.errors import DatabaseNotMigrated


def migrations_dir() -> Path:
    """The migration scripts: packaged inside `archive/` in a wheel, beside it in a checkout."""
    package = Path(archive.__file__).resolve().parent
    packaged = package / "migrations"
    return packaged if packaged.is_dir() else package.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


JOB_TABLE = "procrastinate_jobs"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the archive's migrations and, on PostgreSQL, install the job library's schema (its tables
    live beside the archive's, in the same database, so a job is queued in the transaction of its rows)."""
    command.upgrade(alembic_config(engine), revision)
    install_job_schema(engine)


def has_job_schema(engine: Engine) -> bool:
    return engine.dialect.name != "postgresql" or inspect(engine).has_table(JOB_TABLE)


def install_job_schema(engine: Engine) -> None:
    """procrastinate's schema, once (its own migrations move it to a newer release of the library)."""
    if has_job_schema(engine):
        return
    with engine.begin() as connection:  # the schema's text as the library ships it, run whole
        connection.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def require_migrated(engine: Engine) -> None:
    """Raise `DatabaseNotMigrated` (which says what to run) unless the schema is at head (and, on
    PostgreSQL, the job library's tables are there)."""
    head = head_revision()
    current = current_revision(engine)
    if current != head or not has_job_schema(engine):
        raise DatabaseNotMigrated(current, head)
