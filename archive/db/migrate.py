"""Alembic, driven from code: `archive db upgrade`, and the check that refuses an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def require_migrated(engine: Engine) -> None:
    """Raise `DatabaseNotMigrated` (which says what to run) unless the schema is at head."""
    head = head_revision()
    current = current_revision(engine)
    if current != head:
        raise DatabaseNotMigrated(current, head)
