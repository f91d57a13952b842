"""The rows of captures by URL and of watches: the durable record of that background work (a job engine
runs it; these rows say what was asked, what became of it, and are queued again should a job be lost)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.models import Base, BigId, one_of, utcnow

CAPTURE_STATUSES = ("queued", "running", "done", "failed")
CHECK_OUTCOMES = ("unchanged", "changed", "failed")


class Watch(Base):
    """A URL the archive looks at every `interval_seconds`, adding a version when the page changed."""

    __tablename__ = "watches"
    __table_args__ = (CheckConstraint("interval_seconds >= 1", name="interval_positive"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    interval_seconds: Mapped[int] = mapped_column(Integer)
    # The document its versions go to: null until the first capture made one.
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    next_check_at: Mapped[datetime] = mapped_column(index=True)
    # Checks that failed in a row (each doubles the wait, up to a day); 0 after one that did not.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()


class Capture(Base):
    """A URL to fetch once and archive as a version, and what became of it."""

    __tablename__ = "captures"
    __table_args__ = (CheckConstraint(f"status IN ({one_of(CAPTURE_STATUSES)})", name="status_known"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # The document asked for (a new version of it), or the one the capture made or added to.
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(String(2048))
    http_status: Mapped[int | None] = mapped_column(SmallInteger)
    # The WARC of the whole exchange, a blob of its own.
    warc_blake3: Mapped[str | None] = mapped_column(ForeignKey("blobs.blake3"))
    # Set for a capture a watch made (when its check found the page changed).
    watch_id: Mapped[str | None] = mapped_column(ForeignKey("watches.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class WatchCheck(Base):
    """One look at a watched page: unchanged, changed (the version it added) or failed (why)."""

    __tablename__ = "watch_checks"
    __table_args__ = (CheckConstraint(f"outcome IN ({one_of(CHECK_OUTCOMES)})", name="outcome_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    watch_id: Mapped[str] = mapped_column(ForeignKey("watches.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))
    version: Mapped[int | None] = mapped_column(Integer)
    capture_id: Mapped[str | None] = mapped_column(ForeignKey("captures.id"))
    error: Mapped[str | None] = mapped_column(Text)
