"""API keys (their secrets' digests, never the secrets)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from archive.db.models import ApiKey, UiSession
from archive.db.repositories.base import SqlRepository


class SqlKeyRepository(SqlRepository):
    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key

    def get(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def by_name(self, name: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()

    def all(self) -> Sequence[ApiKey]:
        return self.session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ApiKey)) or 0)

    def flush(self) -> None:
        """Write what changed on a loaded key (its revocation) before the log records it."""
        self.session.flush()

    def add_session(self, session: UiSession) -> None:
        self.session.add(session)
        self.session.flush()

    def get_session(self, token_sha256: str) -> UiSession | None:
        return self.session.get(UiSession, token_sha256)

    def end_session(self, token_sha256: str, at: datetime) -> None:
        self.session.execute(
            update(UiSession)
            .where(UiSession.token_sha256 == token_sha256, UiSession.ended_at.is_(None))
            .values(ended_at=at)
        )

    def prune_sessions(self, before: datetime) -> None:
        """Forget sessions that expired before `before`."""
        self.session.execute(delete(UiSession).where(UiSession.expires_at < before))
