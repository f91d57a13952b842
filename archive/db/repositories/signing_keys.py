"""The log's signing keys over time (`signing_keys`): which key signs now, and every key it had."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from archive.db.log_models import SigningKey
from archive.db.repositories.base import SqlRepository


class SqlSigningKeyRepository(SqlRepository):
    def all(self) -> Sequence[SigningKey]:
        """Every key, oldest first."""
        return self.session.scalars(select(SigningKey).order_by(SigningKey.first_size, SigningKey.id)).all()

    def add(self, key: SigningKey) -> SigningKey:
        self.session.add(key)
        self.session.flush()
        return key

    def flush(self) -> None:
        self.session.flush()
