"""Blobs (one row per distinct byte sequence) and the fixity checks of their stored bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlalchemy import ColumnElement, bindparam, delete, insert, or_, select, text, update

from archive.db.governance_models import PurgedBlob
from archive.db.models import Blob, FixityCheck
from archive.db.repositories.base import SqlRepository, table_of
from archive.digests import Digests


class FixityCheckRow(TypedDict):
    """One `fixity_checks` row, as a bulk INSERT takes it."""

    blob_blake3: str
    audit_id: str | None
    checked_at: datetime
    status: str
    found_blake3: str | None
    found_sha256: str | None
    found_size: int | None
    checked_by: str
    log_index: int | None


class BlobFixityRow(TypedDict):
    """A blob's last fixity status, as `record_fixity`'s bulk UPDATE takes it."""

    blob_blake3: str
    fixity_status: str
    fixity_checked_at: datetime


@dataclass(frozen=True)
class Derived:
    """What a derived blob was made from (its BLAKE3) and how (`preview by Pillow 13.0.0`)."""

    source: str
    how: str


class SqlBlobRepository(SqlRepository):
    def lock(self, blake3: str) -> None:
        """Hold a lock on a digest until the transaction ends, so that storing a blob and collecting it as
        garbage never interleave. PostgreSQL: a transaction advisory lock; SQLite: its write lock, which
        every writing transaction takes at BEGIN, already does it."""
        if self.dialect == "postgresql":
            key = int.from_bytes(bytes.fromhex(blake3[:16]), "big", signed=True)
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        else:
            self.session.connection()  # begins the transaction, and with it SQLite's write lock

    def get(self, blake3: str) -> Blob | None:
        return self.session.get(Blob, blake3)

    def by_sha256(self, sha256: str) -> Blob | None:
        return self.session.scalars(select(Blob).where(Blob.sha256 == sha256)).one_or_none()

    def ensure(
        self,
        digests: Digests,
        media_type: str,
        derived: Derived | None = None,
        chunk_index: bytes | None = None,
    ) -> Blob:
        """Insert the blob's row unless it exists; safe when two uploads of one blob race. A blob the
        archive made from another says so (`derived`), and keeps what it said first. A row made before
        chunk indexes were recorded takes the one given."""
        row = Blob(
            blake3=digests.blake3,
            sha256=digests.sha256,
            size=digests.size,
            media_type=media_type,
            derived_from=None if derived is None else derived.source,
            derivation=None if derived is None else derived.how,
            chunk_index=chunk_index,
        )
        inserted = self.insert_row_unless_taken(row, ["blake3"])
        if chunk_index is not None and not inserted:
            self.set_chunk_index(digests.blake3, chunk_index, only_if_missing=True)
        # Bytes a purge removed, archived again (the caller has put them back): no longer a tombstone. The
        # purge's record and leaf still name them; the purged versions stay purged.
        self.session.execute(delete(PurgedBlob).where(PurgedBlob.blake3 == digests.blake3))
        if inserted:
            return row
        blob = self.session.get(Blob, digests.blake3)
        assert blob is not None
        return blob

    def chunk_index(self, blake3: str) -> bytes | None:
        """The blob's chunk index (None when it has none: one piece, or archived before indexes were)."""
        return self.session.scalar(select(Blob.chunk_index).where(Blob.blake3 == blake3))

    def set_chunk_index(self, blake3: str, chunk_index: bytes, *, only_if_missing: bool = False) -> None:
        """Record the chunk index of bytes just measured against the blob's digests."""
        blobs = table_of(Blob)
        unlike: ColumnElement[bool] = blobs.c.chunk_index.is_(None)
        if not only_if_missing:
            unlike = or_(unlike, blobs.c.chunk_index != chunk_index)  # an unchanged index is not written
        self.session.execute(
            update(blobs).where(blobs.c.blake3 == blake3, unlike).values(chunk_index=chunk_index)
        )

    def digests_of(self, blake3: str) -> Digests | None:
        """What a blob's bytes should hash to, without loading (or later flushing) its row."""
        row = self.session.execute(
            select(Blob.blake3, Blob.sha256, Blob.size).where(Blob.blake3 == blake3)
        ).one_or_none()
        return None if row is None else Digests(blake3=row.blake3, sha256=row.sha256, size=row.size)

    def record_fixity(self, checks: Sequence[FixityCheckRow], statuses: Sequence[BlobFixityRow]) -> None:
        """Add check rows and set blobs' last status: one executemany each, whatever the number of blobs.

        Core statements on the tables, not the ORM's bulk forms, which spend more time per row than the
        database does. `statuses` are written in the order given; callers pass them in digest order, the
        order in which every writer locks blob rows.
        """
        if checks:
            self.session.execute(insert(table_of(FixityCheck)), checks)
        if statuses:
            blobs = table_of(Blob)
            # A check recorded meanwhile with a later time (a read that found the blob corrupt) stands.
            by_digest = (
                update(blobs)
                .where(
                    blobs.c.blake3 == bindparam("b_blake3"),
                    or_(
                        blobs.c.fixity_checked_at.is_(None),
                        blobs.c.fixity_checked_at <= bindparam("b_checked_at"),
                    ),
                )
                .values(fixity_status=bindparam("b_status"), fixity_checked_at=bindparam("b_checked_at"))
            )
            self.session.execute(
                by_digest,
                [
                    {
                        "b_blake3": row["blob_blake3"],
                        "b_status": row["fixity_status"],
                        "b_checked_at": row["fixity_checked_at"],
                    }
                    for row in statuses
                ],
            )

    def last_check(self, blake3: str) -> FixityCheck | None:
        """The blob's latest fixity check (None when it was never checked)."""
        return self.session.scalars(
            select(FixityCheck)
            .where(FixityCheck.blob_blake3 == blake3)
            .order_by(FixityCheck.checked_at.desc(), FixityCheck.id.desc())
            .limit(1)
        ).one_or_none()
