"""Captures, watches and their checks: the durable record of the work a job engine runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from archive.db.capture_models import Capture, Watch, WatchCheck
from archive.db.models import utcnow
from archive.db.repositories.base import SqlRepository

RECENT_CHECKS = 5


class SqlCaptureRepository(SqlRepository):
    def add(self, row: Capture | Watch | WatchCheck) -> None:
        self.session.add(row)
        self.session.flush()

    def capture(self, capture_id: str) -> Capture | None:
        return self.session.get(Capture, capture_id)

    def claim(self, capture_id: str) -> Capture | None:
        """Mark a capture running for the job about to run it (one still queued, or left running by a job
        that died); None when it is done or failed (a job run twice does nothing the second time)."""
        claimed = self.session.execute(
            update(Capture)
            .where(Capture.id == capture_id, Capture.status.in_(("queued", "running")))
            .values(status="running", started_at=utcnow(), attempts=Capture.attempts + 1)
        )
        if not getattr(claimed, "rowcount", 0):
            return None
        self.session.expire_all()
        return self.session.get(Capture, capture_id)

    def unfinished_captures(self, requested_before: datetime | None = None) -> Sequence[Capture]:
        """Captures still queued or running (those requested before a time, when given), oldest first."""
        query = select(Capture).where(Capture.status.in_(("queued", "running")))
        if requested_before is not None:
            query = query.where(Capture.status == "queued", Capture.requested_at < requested_before)
        return self.session.scalars(query.order_by(Capture.requested_at)).all()

    def watch_versions(self, document_id: str) -> dict[int, str]:
        """The versions of a document a watch added, each with its watch's id."""
        rows = self.session.execute(
            select(Capture.version, Capture.watch_id).where(
                Capture.document_id == document_id,
                Capture.watch_id.is_not(None),
                Capture.version.is_not(None),
            )
        ).all()
        return {int(version or 0): str(watch_id) for version, watch_id in rows}

    def captures_of(self, document_id: str) -> Sequence[Capture]:
        """A document's finished captures that kept a WARC, oldest first."""
        return self.session.scalars(
            select(Capture)
            .where(Capture.document_id == document_id, Capture.warc_blake3.is_not(None))
            .order_by(Capture.version, Capture.finished_at)
        ).all()

    def watch(self, watch_id: str) -> Watch | None:
        watch = self.session.get(Watch, watch_id)
        return watch if watch is not None and watch.deleted_at is None else None

    def watch_for_update(self, watch_id: str) -> Watch | None:
        query = select(Watch).where(Watch.id == watch_id, Watch.deleted_at.is_(None))
        if self.dialect == "postgresql":
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def watches(self, limit: int, after: str | None = None) -> Sequence[Watch]:
        query = select(Watch).where(Watch.deleted_at.is_(None))
        if after is not None:
            query = query.where(Watch.id > after)
        return self.session.scalars(query.order_by(Watch.id).limit(limit)).all()

    def due_watches(self, before: datetime) -> Sequence[Watch]:
        return self.session.scalars(
            select(Watch).where(Watch.deleted_at.is_(None), Watch.next_check_at < before).order_by(Watch.id)
        ).all()

    def recent_checks(
        self, watch_ids: Sequence[str], per_watch: int = RECENT_CHECKS
    ) -> dict[str, list[WatchCheck]]:
        """The latest checks of each watch, newest first."""
        found: dict[str, list[WatchCheck]] = {watch_id: [] for watch_id in watch_ids}
        if not watch_ids:
            return found
        rows = self.session.scalars(
            select(WatchCheck)
            .where(WatchCheck.watch_id.in_(list(watch_ids)))
            .order_by(WatchCheck.checked_at.desc(), WatchCheck.id.desc())
        )
        for check in rows:
            kept = found[check.watch_id]
            if len(kept) < per_watch:
                kept.append(check)
        return found
