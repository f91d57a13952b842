"""What every SQL repository shares: its session, and INSERT … ON CONFLICT in the dialect at hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from archive.db.models import Base


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (the ORM types `__table__` as any FROM clause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def set_loaded(row: Base, attribute: str, value: object) -> None:
    """Give a row's view-only collection (or SQL-computed column) the value this transaction has just
    written, as if it had been loaded, so that it is not read back (a collection in its order)."""
    set_committed_value(row, attribute, value)


class SqlRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _insert(self) -> Callable[..., Any]:
        """INSERT with ON CONFLICT, in the dialect at hand (both speak it)."""
        return postgresql.insert if self.dialect == "postgresql" else sqlite.insert

    def insert_ignoring_conflict(self, model: type[Base], **values: Any) -> None:
        """INSERT a row unless its primary key (or a unique key) is taken; a racing writer won."""
        self.session.execute(self._insert()(model).values(**values).on_conflict_do_nothing())
