"""The verifiable log as stored: leaves, the hashes of complete subtrees, the head, signed checkpoints.

Appends lock the single `log_head` row (SELECT … FOR UPDATE on PostgreSQL; SQLite takes its write lock at
BEGIN), so any number of API workers over one database extend one tree and never fork it. The head is read
and written as Core statements, never as an ORM row, so no copy of it in the session can go stale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from archive.db.log_models import LogEntry, LogHead, LogNode, SignedCheckpoint
from archive.db.repositories.base import SqlRepository, table_of
from archive.ledger import EMPTY_ROOT, NodeKey, NodeRow


@cache
def _nodes_at_levels(levels: int) -> Select[tuple[Any, Any, Any]]:
    """The nodes of `levels` levels, each level's indexes a list: one `level = ? AND node_index IN (…)`
    per level, each a primary-key lookup (a row-value IN list makes SQLite scan the table). Made once per
    number of levels, with bound parameters, not at every read."""
    nodes = table_of(LogNode)
    return select(nodes.c.level, nodes.c.node_index, nodes.c.hash).where(
        or_(
            *(
                and_(
                    nodes.c.level == bindparam(f"level_{number}"),
                    nodes.c.node_index.in_(bindparam(f"indexes_{number}", expanding=True)),
                )
                for number in range(levels)
            )
        )
    )


class SqlLogRepository(SqlRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._locked = False  # the head, locked by `lock_head` in this transaction

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The stored subtree hashes asked for (a `NodeReader`): one query per batch of keys."""
        if not keys:
            return {}
        by_level: dict[int, list[int]] = {}
        for level, index in keys:
            by_level.setdefault(level, []).append(index)
        parameters: dict[str, object] = {}
        for number, (level, indexes) in enumerate(by_level.items()):
            parameters[f"level_{number}"] = level
            parameters[f"indexes_{number}"] = indexes
        rows = self.session.execute(_nodes_at_levels(len(by_level)), parameters).all()
        return {(level, index): bytes(digest) for level, index, digest in rows}

    def head(self) -> tuple[int, bytes]:
        """The log's size and root as stored now (no lock)."""
        heads = table_of(LogHead)
        row = self.session.execute(select(heads.c.size, heads.c.root_hash).where(heads.c.id == 1)).first()
        return (row.size, bytes(row.root_hash)) if row is not None else (0, EMPTY_ROOT)

    def size(self) -> int:
        return self.head()[0]

    def _lock(self) -> int:
        heads = table_of(LogHead)
        query = select(heads.c.size).where(heads.c.id == 1).with_for_update()
        size = self.session.scalar(query)
        if size is None:
            self.insert_ignoring_conflict(LogHead, id=1, size=0, root_hash=EMPTY_ROOT)
            size = self.session.scalars(query).one()
        self._locked = True
        return int(size)

    def lock_head(self) -> int:
        """Lock the head until the transaction ends; the index the next leaf gets."""
        return self._lock()

    def append(self, entry: LogEntry, completed: Sequence[NodeRow], root: bytes) -> None:
        """Store a leaf, the subtrees it completes and the new head (after `lock_head`): one statement
        each."""
        if not self._locked:
            self._lock()
        self.insert_rows([entry])
        if completed:
            self.session.execute(
                insert(table_of(LogNode)),
                [{"level": level, "node_index": index, "hash": digest} for level, index, digest in completed],
            )
        heads = table_of(LogHead)
        self.session.execute(
            update(heads).where(heads.c.id == 1).values(size=entry.leaf_index + 1, root_hash=root)
        )

    def entry(self, index: int) -> LogEntry | None:
        return self.session.get(LogEntry, index)

    def entries(self, start: int, stop: int) -> Sequence[LogEntry]:
        """The leaves `start` ≤ index < `stop`, in order."""
        return self.session.scalars(
            select(LogEntry)
            .where(LogEntry.leaf_index >= start, LogEntry.leaf_index < stop)
            .order_by(LogEntry.leaf_index)
        ).all()

    def last_checkpoint(self) -> SignedCheckpoint | None:
        return self.session.scalars(
            select(SignedCheckpoint).order_by(SignedCheckpoint.tree_size.desc()).limit(1)
        ).one_or_none()

    def add_checkpoint(self, size: int, root: bytes, note: str) -> SignedCheckpoint:
        """Keep a signed checkpoint (one signed meanwhile by another worker for the same size stands)."""
        self.insert_ignoring_conflict(SignedCheckpoint, tree_size=size, root_hash=root, note=note)
        signed = self.session.get(SignedCheckpoint, size)
        assert signed is not None
        return signed

    def signed_roots(self) -> dict[int, bytes]:
        """The root of every signed checkpoint, by tree size."""
        return {c.tree_size: bytes(c.root_hash) for c in self.session.scalars(select(SignedCheckpoint))}

    def checkpoints_after(self, size: int, limit: int) -> Sequence[SignedCheckpoint]:
        """Signed checkpoints of more than `size` leaves, smallest first (a page at a time)."""
        return self.session.scalars(
            select(SignedCheckpoint)
            .where(SignedCheckpoint.tree_size > size)
            .order_by(SignedCheckpoint.tree_size)
            .limit(limit)
        ).all()
