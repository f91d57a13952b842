"""What every SQL repository shares: its session, and INSERT … ON CONFLICT in the dialect at hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import MANYTOONE

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


@dataclass(frozen=True)
class _RowPlan:
    """How the rows of one model are written as a Core INSERT: their columns (each with its default, for
    a column left unset), the autoincremented key given back by RETURNING, and the foreign keys read off
    the rows a many-to-one relationship holds."""

    table: Table
    columns: tuple[tuple[str, Callable[[], Any] | None], ...]
    generated_key: str | None
    held: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    position: str | None
    """A column that tells apart the rows of one batch (a version's photos, credits, notices): RETURNING
    gives it back beside each generated id, so the ids are matched to rows in any order and the batch is
    one statement (SQLite returns rows in no stated order, so SQLAlchemy would insert them one by one)."""


def _default_of(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        value = default.arg  # type: ignore[attr-defined]
        return lambda: value
    wrapped = default.arg  # type: ignore[attr-defined]  # a callable taking the execution context
    return lambda: wrapped(None)


@cache
def _plan(model: type[Base]) -> _RowPlan:
    mapper: Mapper[Any] = model.__mapper__
    table = table_of(model)
    generated = table.autoincrement_column
    generated_key = None if generated is None else generated.key
    columns = tuple(
        (prop.key, _default_of(column))
        for prop in mapper.column_attrs
        if isinstance(column := prop.columns[0], Column)
        and column.table is table
        and prop.key != generated_key
    )
    held = tuple(
        (rel.key, tuple((str(local.key), str(remote.key)) for local, remote in rel.local_remote_pairs))
        for rel in mapper.relationships
        if rel.direction is MANYTOONE and not rel.viewonly
    )
    return _RowPlan(table, columns, generated_key, held, "position" if "position" in table.c else None)


def _row_values(row: Base, plan: _RowPlan) -> dict[str, Any]:
    """A new row's column values, as its flush would write them; the row is given those it lacked."""
    state = row.__dict__
    for key, pairs in plan.held:
        if key in state and (target := state[key]) is not None:
            for local, remote in pairs:
                setattr(row, local, getattr(target, remote))
    values: dict[str, Any] = {}
    for key, default in plan.columns:
        if key in state:
            values[key] = state[key]
        else:
            values[key] = value = default() if default is not None else None
            setattr(row, key, value)
    return values


class SqlRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _insert(self) -> Callable[..., Any]:
        """INSERT with ON CONFLICT, in the dialect at hand (both speak it)."""
        return postgresql.insert if self.dialect == "postgresql" else sqlite.insert

    def insert_rows(self, rows: Sequence[Base]) -> None:
        """INSERT new rows of one model as one Core statement (an executemany; RETURNING gives each its
        generated id) instead of through the ORM's unit of work, which spends more time per row than the
        database does; then hand them to the session as if a flush had written and loaded them, so that
        the identity map holds them and what reads them later in the transaction sees these objects."""
        if not rows:
            return
        plan = _plan(type(rows[0]))
        values = [_row_values(row, plan) for row in rows]
        if plan.generated_key is None:
            self.session.execute(insert(plan.table), values)
        elif len(rows) == 1 or plan.position is None:
            key = plan.table.c[plan.generated_key]
            statement = insert(plan.table).returning(key, sort_by_parameter_order=True)
            for row, generated in zip(rows, self.session.execute(statement, values).scalars(), strict=True):
                setattr(row, plan.generated_key, generated)
        else:
            statement = insert(plan.table).returning(
                plan.table.c[plan.generated_key], plan.table.c[plan.position]
            )
            generated_by = {position: key for key, position in self.session.execute(statement, values)}
            assert len(generated_by) == len(rows), f"rows of one batch share a {plan.position}"
            for row in rows:
                setattr(row, plan.generated_key, generated_by[getattr(row, plan.position)])
        for row in rows:
            make_transient_to_detached(row)
            self.session.add(row)

    def insert_row_unless_taken(self, row: Base, index_elements: Sequence[str]) -> bool:
        """INSERT … ON CONFLICT DO NOTHING one row of a model without a generated key; when it was
        inserted, hand it to the session as a loaded row (as `insert_rows` does) and say so."""
        plan = _plan(type(row))
        statement = self._insert()(plan.table).values(_row_values(row, plan))
        inserted = self.session.execute(statement.on_conflict_do_nothing(index_elements=index_elements))
        if inserted.rowcount != 1:  # type: ignore[attr-defined]
            return False
        make_transient_to_detached(row)
        self.session.add(row)
        return True

    def insert_ignoring_conflict(self, model: type[Base], **values: Any) -> None:
        """INSERT a row unless its primary key (or a unique key) is taken; a racing writer won."""
        self.session.execute(self._insert()(model).values(**values).on_conflict_do_nothing())
