"""Agents (people and organisations) and what versions credit them with: credits, photos, notices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from archive.db.models import Agent, Credit, Notice, Photo, Version
from archive.db.repositories.base import SqlRepository
from archive.names import normalize_name

AgentWanted = tuple[str, str, dict[str, str]]  # name as printed, kind, identifiers


def agent_key(name: str, kind: str) -> tuple[str, str]:
    """What identifies an agent: its normalised name (or, when nothing of it is a letter, the name
    case-folded) and its kind."""
    return (normalize_name(name) or name.casefold(), kind)


# Made once, with the names a bound list, rather than at every upload.
_AGENTS_NAMED = select(Agent).where(Agent.normalized_name.in_(bindparam("names", expanding=True)))


class SqlAttributionRepository(SqlRepository):
    def add_photos(self, photos: Sequence[Photo]) -> None:
        """Insert a version's photos in one statement; their ids are set (their credits need them)."""
        self.insert_rows(photos)

    def add_credits(self, credits: Sequence[Credit], notices: Sequence[Notice]) -> None:
        """Insert a version's credits and its notices in one statement each; their ids are set."""
        self.insert_rows(credits)
        self.insert_rows(notices)

    def agents_for(self, wanted: Sequence[AgentWanted]) -> list[Agent]:
        """The agent of each `(name, kind, identifiers)`, in order: those not seen before are made (one
        INSERT … ON CONFLICT DO NOTHING for all, so racing writers make each once), all are read back in
        one SELECT, and identifiers not yet known are added."""
        keys = [agent_key(name, kind) for name, kind, _ in wanted]
        if not keys:
            return []
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for key, (name, kind, identifiers) in zip(keys, wanted, strict=True):
            rows.setdefault(key, {"kind": kind, "name": name, "normalized_name": key[0], "identifiers": {}})
            rows[key]["identifiers"] = {**rows[key]["identifiers"], **identifiers}
        self.session.execute(  # in key order, so that two writers never wait on each other's new rows
            self._insert()(Agent).on_conflict_do_nothing(index_elements=["normalized_name", "kind"]),
            [rows[key] for key in sorted(rows)],
        )
        names = sorted({normalized for normalized, _ in rows})
        found = {
            (agent.normalized_name, agent.kind): agent
            for agent in self.session.scalars(_AGENTS_NAMED, {"names": names})
        }
        for key, row in rows.items():
            agent = found[key]
            if row["identifiers"] and not row["identifiers"].items() <= agent.identifiers.items():
                agent.identifiers = {**agent.identifiers, **row["identifiers"]}
        return [found[key] for key in keys]

    def agent(self, agent_id: int) -> Agent | None:
        return self.session.get(Agent, agent_id)

    def agent_credits(self, agent_id: int, limit: int) -> Sequence[tuple[Credit, Version]]:
        rows = self.session.execute(
            select(Credit, Version)
            .join(Version, Version.id == Credit.version_id)
            .where(Credit.agent_id == agent_id, Credit.accepted.is_(True))
            .order_by(Version.document_id.desc(), Version.number, Credit.position)
            .limit(limit)
        ).all()
        return [(credit, version) for credit, version in rows]
