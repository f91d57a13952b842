"""What an institution decides about a document beyond its versions: withdrawals (takedowns), purges and
the tombstones of the bytes they removed, legal holds, restriction, embargo and the grants that open a
restricted document to a key. Every change here is also a leaf of the verifiable log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.models import Base, BigId, utcnow


class Withdrawal(Base):
    """A takedown of a whole document (`version` null) or of one version: from `withdrawn_at` its bytes are
    served to admins only, until it is reversed. The row stays after a reversal, as the log's leaves do."""

    __tablename__ = "withdrawals"
    __table_args__ = (CheckConstraint("version IS NULL OR version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_by: Mapped[str] = mapped_column(String(100))
    log_index: Mapped[int] = mapped_column(ForeignKey("log_entries.leaf_index"), unique=True)
    reversed_at: Mapped[datetime | None] = mapped_column()
    reversed_by: Mapped[str | None] = mapped_column(String(100))
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    reversal_log_index: Mapped[int | None] = mapped_column(ForeignKey("log_entries.leaf_index"), unique=True)


class Purge(Base):
    """Bytes removed from storage for good: which document (or version), why, and the digests of every
    blob whose bytes went (`blobs`); blobs another version still used were kept."""

    __tablename__ = "purges"
    __table_args__ = (CheckConstraint("version IS NULL OR version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    purged_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_by: Mapped[str] = mapped_column(String(100))
    log_index: Mapped[int] = mapped_column(ForeignKey("log_entries.leaf_index"), unique=True)
    blobs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PurgedBlob(Base):
    """The tombstone of a blob whose bytes a purge removed: the blob's row (and digests) stay."""

    __tablename__ = "purged_blobs"

    blake3: Mapped[str] = mapped_column(ForeignKey("blobs.blake3"), primary_key=True)
    purge_id: Mapped[int] = mapped_column(ForeignKey("purges.id"), index=True)
    purged_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentPolicy(Base):
    """Who may see a document and whether it may be purged: restricted (readers need a grant), embargoed
    until a time (served from then on), under a legal hold (never purged, never collected). A document
    without a row is open and unheld."""

    __tablename__ = "document_policies"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    embargoed_until: Mapped[datetime | None] = mapped_column()
    held_since: Mapped[datetime | None] = mapped_column()
    held_by: Mapped[str | None] = mapped_column(String(100))
    hold_reason: Mapped[str | None] = mapped_column(Text)


class AccessGrant(Base):
    """A key (by its name) allowed to see a restricted document."""

    __tablename__ = "access_grants"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    key_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[str] = mapped_column(String(100))
