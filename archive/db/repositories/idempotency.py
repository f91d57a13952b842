"""The first answer given to each (principal, Idempotency-Key)."""

from __future__ import annotations

from archive.db.models import IdempotencyRecord
from archive.db.repositories.base import SqlRepository


class SqlIdempotencyRepository(SqlRepository):
    def get(self, principal: str, key: str) -> IdempotencyRecord | None:
        return self.session.get(IdempotencyRecord, (principal, key))

    def add_unless_taken(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Insert the record unless its key is taken (a racing twin got there first); the record that
        stands under the key now."""
        self.insert_ignoring_conflict(
            IdempotencyRecord,
            principal=record.principal,
            key=record.key,
            fingerprint=record.fingerprint,
            created=record.created,
            response=record.response,
        )
        return self.session.get(IdempotencyRecord, (record.principal, record.key))
