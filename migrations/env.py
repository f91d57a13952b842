"""Alembic environment: the engine comes from `archive db upgrade` or, run by hand, from the settings."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Engine

from archive.config import load_settings
from archive.db.models import Base
from archive.db.session import build_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    engine = build_engine(load_settings())


def _archive_owns(name: str | None, type_: str, _parent: object) -> bool:
    """The job library's tables (installed by `archive db upgrade` beside the archive's) are not the
    models' business, nor the search engines' tables (an FTS5 table and its shadow tables on SQLite, a
    tsvector table on PostgreSQL), which `archive.search` owns."""
    return not (type_ == "table" and (name or "").startswith(("procrastinate_", "search_")))


with engine.connect() as connection:
    context.configure(
        include_name=_archive_owns,
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
