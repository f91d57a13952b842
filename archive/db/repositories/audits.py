"""Audits (fixity sweeps over every blob) and their items, leased to workers in batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, case, exists, func, insert, literal, select, update

from archive.db.governance_models import PurgedBlob
from archive.db.models import Audit, AuditItem, Blob, FixityCheck, utcnow
from archive.db.repositories.base import SqlRepository, table_of
from archive.digests import Digests


class SqlAuditRepository(SqlRepository):
    def add(self, audit: Audit) -> int:
        """A new audit with one pending item per blob (one INSERT … SELECT); how many items."""
        self.session.add(audit)
        self.session.flush()
        every_blob = (
            select(literal(audit.id), Blob.blake3, literal("pending"))
            .select_from(Blob)
            .where(~exists().where(PurgedBlob.blake3 == Blob.blake3))  # removed on purpose: not checked
        )
        self.session.execute(insert(AuditItem).from_select(["audit_id", "blob_blake3", "status"], every_blob))
        counted = select(func.count()).select_from(AuditItem).where(AuditItem.audit_id == audit.id)
        return int(self.session.scalar(counted) or 0)

    def get(self, audit_id: str) -> Audit | None:
        return self.session.get(Audit, audit_id)

    def flush(self) -> None:
        self.session.flush()

    def unfinished(self) -> list[tuple[str, str]]:
        """The id and requester of every audit still running, oldest first."""
        rows = self.session.execute(
            select(Audit.id, Audit.requested_by).where(Audit.status == "running").order_by(Audit.started_at)
        ).all()
        return [(audit_id, requested_by) for audit_id, requested_by in rows]

    def item_counts(self, audit_id: str) -> dict[str, int]:
        counted = self.session.execute(
            select(AuditItem.status, func.count())
            .where(AuditItem.audit_id == audit_id)
            .group_by(AuditItem.status)
        ).all()
        return {status: int(number) for status, number in counted}

    def failures(self, audit_id: str, limit: int) -> Sequence[FixityCheck]:
        return self.session.scalars(
            select(FixityCheck)
            .where(FixityCheck.audit_id == audit_id, FixityCheck.status != "ok")
            .order_by(FixityCheck.checked_at, FixityCheck.id)
            .limit(limit)
        ).all()

    def progress(self, audit_id: str) -> tuple[int, int, int, int]:
        """Items in all and checked, and their blobs' bytes in all and checked."""
        checked = AuditItem.status != "pending"
        total, done, total_bytes, done_bytes = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((checked, 1), else_=0)), 0),
                func.coalesce(func.sum(Blob.size), 0),
                func.coalesce(func.sum(case((checked, Blob.size), else_=0)), 0),
            )
            .select_from(AuditItem)
            .join(Blob, Blob.blake3 == AuditItem.blob_blake3)
            .where(AuditItem.audit_id == audit_id)
        ).one()
        return int(total), int(done), int(total_bytes), int(done_bytes)

    def lease(self, audit_id: str, size: int) -> list[Digests]:
        """Up to `size` pending items no other worker holds, locked until this transaction ends: what each
        blob should hash to (columns, not ORM rows, since a batch holds hundreds and they are only read)."""
        rows = self.session.execute(
            select(Blob.blake3, Blob.sha256, Blob.size)
            .select_from(AuditItem)
            .join(Blob, Blob.blake3 == AuditItem.blob_blake3)
            .where(AuditItem.audit_id == audit_id, AuditItem.status == "pending")
            .order_by(AuditItem.blob_blake3)
            .limit(size)
            .with_for_update(skip_locked=True, of=AuditItem)
        ).all()
        return [Digests(blake3=row.blake3, sha256=row.sha256, size=row.size) for row in rows]

    def mark_items(self, audit_id: str, checked: Sequence[tuple[str, str, datetime]]) -> None:
        """Set leased items' `(blake3, status, checked_at)`: one executemany for the whole batch (Core, not
        the ORM's bulk UPDATE, which spends more time per row than the database does)."""
        items = table_of(AuditItem)
        by_blob = update(items).where(
            items.c.audit_id == audit_id, items.c.blob_blake3 == bindparam("item_blake3")
        )
        self.session.execute(
            by_blob,
            [{"item_blake3": blake3, "status": status, "checked_at": at} for blake3, status, at in checked],
        )

    def finish_if_complete(self, audit_id: str) -> bool:
        """Mark the audit done unless an item is still pending; True when it is done (by now or before).

        Items another worker has leased but not committed still read as pending, so only a worker that
        finds none finishes the audit, and the `status = 'running'` condition lets exactly one of them do it.
        """
        pending = exists().where(AuditItem.audit_id == audit_id, AuditItem.status == "pending")
        self.session.execute(
            update(Audit)
            .where(Audit.id == audit_id, Audit.status == "running", ~pending)
            .values(status="done", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return self.session.scalar(select(Audit.status).where(Audit.id == audit_id)) == "done"
