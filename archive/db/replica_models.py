"""The second copy of each blob (`ARCHIVE_REPLICA_URL`): whether it was made, what its last check found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.models import Base

REPLICA_STATUSES = ("ok", "corrupt", "missing")


class BlobReplica(Base):
    """A blob's copy in the replica: `ok` once copied (and checked) whole, or what an audit found wrong
    with it that could not be put right. A blob without a row has not been copied yet."""

    __tablename__ = "blob_replicas"
    __table_args__ = (CheckConstraint("status IN ('ok', 'corrupt', 'missing')", name="status_known"),)

    blake3: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.blake3"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    copied_at: Mapped[datetime | None] = mapped_column()
    checked_at: Mapped[datetime] = mapped_column()
