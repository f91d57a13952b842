"""The replica's record (`blob_replicas`): which blobs have their second copy, and what its check found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, select

from archive.db.governance_models import PurgedBlob
from archive.db.models import Blob, Document, Version
from archive.db.replica_models import BlobReplica
from archive.db.repositories.base import SqlRepository
from archive.digests import Digests


class SqlReplicaRepository(SqlRepository):
    def get(self, blake3: str) -> BlobReplica | None:
        return self.session.get(BlobReplica, blake3)

    def mark(self, blake3: str, status: str, *, checked_at: datetime, copied: bool) -> None:
        """Record what the replica holds of the blob now (`copied`: this call's caller wrote it)."""
        row = self.session.get(BlobReplica, blake3)
        if row is None:
            row = BlobReplica(blake3=blake3, status=status, checked_at=checked_at)
            self.session.add(row)
        row.status, row.checked_at = status, checked_at
        if copied:
            row.copied_at = checked_at
        self.session.flush()

    def unreplicated(self, limit: int) -> Sequence[str]:
        """Blobs the replica has no record of yet, oldest first."""
        return self.session.scalars(
            select(Blob.blake3)
            .outerjoin(BlobReplica, BlobReplica.blake3 == Blob.blake3)
            .where(BlobReplica.blake3.is_(None))
            .where(~exists().where(PurgedBlob.blake3 == Blob.blake3))
            .order_by(Blob.created_at, Blob.blake3)
            .limit(limit)
        ).all()

    def all(self) -> Sequence[BlobReplica]:
        return self.session.scalars(select(BlobReplica).order_by(BlobReplica.blake3)).all()

    def digests_after(self, after: str, limit: int) -> list[Digests]:
        """Every archived blob's digests, in digest order from just after `after` (a page at a time)."""
        rows = self.session.execute(
            select(Blob.blake3, Blob.sha256, Blob.size)
            .where(Blob.blake3 > after)
            .where(~exists().where(PurgedBlob.blake3 == Blob.blake3))  # removed from both copies on purpose
            .order_by(Blob.blake3)
            .limit(limit)
        ).all()
        return [Digests(blake3, sha256, size) for blake3, sha256, size in rows]

    def holdings(self) -> tuple[int, int]:
        """How many documents and versions the database records."""
        documents = self.session.scalar(select(func.count()).select_from(Document)) or 0
        versions = self.session.scalar(select(func.count()).select_from(Version)) or 0
        return int(documents), int(versions)
