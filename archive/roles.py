"""The four roles of API keys, each including the ones below it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ARCHIVIST = "archivist"
    AUDITOR = "auditor"
    READER = "reader"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def includes(self, other: Role) -> bool:
        """True when a key of this role may do what `other` may."""
        return self.rank >= other.rank


_RANKS = {Role.READER: 0, Role.AUDITOR: 1, Role.ARCHIVIST: 2, Role.ADMIN: 3}
