"""`archive db`: the database schema's migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from archive.cli.runtime import Runtime, out
from archive.db import migrate


def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations."""
    with Runtime.load() as runtime:
        migrate.upgrade(runtime.engine, revision)
        out.print(f"database at revision {migrate.current_revision(runtime.engine)}", highlight=False)


def db_current() -> None:
    """Print the database's revision and the code's."""
    with Runtime.load() as runtime:
        current = migrate.current_revision(runtime.engine)
    out.print(f"database: {current or 'none'}  code: {migrate.head_revision()}", highlight=False)
