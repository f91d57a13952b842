"""The signing keys repository over `MemoryTables`, for the fake unit of work (`archive.db.memory`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from archive.db.log_models import SigningKey
from archive.db.models import utcnow

if TYPE_CHECKING:  # the tables module builds this repository, so it is imported for types only
    from archive.db.memory import MemoryTables


class MemorySigningKeyRepository:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def all(self) -> Sequence[SigningKey]:
        return sorted(self.tables.signing_keys.values(), key=lambda key: (key.first_size, key.id))

    def add(self, key: SigningKey) -> SigningKey:
        key.id = self.tables.next_id()
        if key.created_at is None:
            key.created_at = utcnow()
        self.tables.signing_keys[key.id] = key
        return key

    def flush(self) -> None:
        return None
