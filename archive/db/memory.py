"""In-memory repositories: the fakes the use cases' unit tests run on (`FakeUnitOfWork`).

They answer the same ports as the SQL repositories, over plain dictionaries of ORM objects that are never
attached to a session. What the database would fill in at INSERT (ids, defaults, foreign keys taken from a
relationship) they fill in when a row is added.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm.attributes import set_committed_value

from archive.db.log_models import (
    Attestor,
    CheckpointAttestation,
    LogEntry,
    SignedCheckpoint,
    SigningKey,
)
from archive.db.models import (
    Agent,
    ApiKey,
    Base,
    Blob,
    Credit,
    Document,
    FixityCheck,
    IdempotencyRecord,
    Notice,
    Photo,
    UiSession,
    Version,
    utcnow,
)
from archive.db.repositories.attribution import AgentWanted, agent_key
from archive.db.repositories.blobs import BlobFixityRow, Derived, FixityCheckRow
from archive.db.repositories.documents import search_words
from archive.digests import Digests
from archive.ledger import EMPTY_ROOT, NodeKey, NodeRow
from archive.names import normalize_name


@dataclass
class MemoryTables:
    """Every table a fake unit of work holds, and the counters that hand out ids."""

    documents: dict[str, Document] = field(default_factory=dict)
    versions: dict[int, Version] = field(default_factory=dict)
    blobs: dict[str, Blob] = field(default_factory=dict)
    fixity_checks: dict[int, FixityCheck] = field(default_factory=dict)
    agents: dict[tuple[str, str], Agent] = field(default_factory=dict)
    photos: dict[int, Photo] = field(default_factory=dict)
    credits: dict[int, Credit] = field(default_factory=dict)
    notices: dict[int, Notice] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    ui_sessions: dict[str, UiSession] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    log_entries: dict[int, LogEntry] = field(default_factory=dict)
    log_nodes: dict[NodeKey, bytes] = field(default_factory=dict)
    log_head: tuple[int, bytes] = (0, EMPTY_ROOT)
    checkpoints: dict[int, SignedCheckpoint] = field(default_factory=dict)
    attestations: dict[tuple[int, str], CheckpointAttestation] = field(default_factory=dict)
    attestors: dict[str, Attestor] = field(default_factory=dict)
    signing_keys: dict[int, SigningKey] = field(default_factory=dict)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def snapshot(self) -> Snapshot:
        """Which rows exist now, and what each row's fields hold, for `restore` to put back."""
        tables = MemoryTables(**{table.name: copy.copy(getattr(self, table.name)) for table in fields(self)})
        rows = [(row, _fields_of(row)) for row in self._rows()]
        return Snapshot(tables, rows)

    def restore(self, saved: Snapshot) -> None:
        """The tables as they were at `saved`, as a rolled-back transaction leaves them; ids handed out
        meanwhile are not handed out again (as a database's sequences are not)."""
        last_id = self.last_id
        for table in fields(self):
            setattr(self, table.name, getattr(saved.tables, table.name))
        self.last_id = last_id
        for row, values in saved.rows:
            for name, value in values.items():
                set_committed_value(row, name, value)

    def _rows(self) -> list[Base]:
        held: list[Base] = []
        for table in fields(self):
            value = getattr(self, table.name)
            if isinstance(value, dict):
                held.extend(row for row in value.values() if isinstance(row, Base))
        return held

    def repositories(
        self,
    ) -> tuple[
        MemoryDocumentRepository,
        MemoryAttributionRepository,
        MemoryBlobRepository,
        MemoryLogRepository,
        MemoryKeyRepository,
        MemoryIdempotencyRepository,
    ]:
        return (
            MemoryDocumentRepository(self),
            MemoryAttributionRepository(self),
            MemoryBlobRepository(self),
            MemoryLogRepository(self),
            MemoryKeyRepository(self),
            MemoryIdempotencyRepository(self),
        )


@dataclass(frozen=True)
class Snapshot:
    tables: MemoryTables
    rows: list[tuple[Base, dict[str, Any]]]


def _fields_of(row: Base) -> dict[str, Any]:
    """A row's loaded fields (containers copied, so that changing them in place is undone too)."""
    return {
        name: copy.copy(value) if isinstance(value, list | dict) else value
        for name, value in vars(row).items()
        if not name.startswith("_sa_")
    }


class _MemoryRepository:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables


class MemoryDocumentRepository(_MemoryRepository):
    def get(self, document_id: str) -> Document | None:
        return self.tables.documents.get(document_id)

    def by_source_url(self, source_url: str) -> Document | None:
        found = [d for d in self.tables.documents.values() if d.source_url == source_url]
        return found[0] if found else None

    def add(self, document: Document) -> Document:
        document.created_at = document.created_at or utcnow()
        self.tables.documents[document.id] = document
        return document

    def next_version_number(self, document_id: str) -> int:
        document = self.tables.documents[document_id]
        document.latest_version += 1
        return document.latest_version

    def search(
        self,
        *,
        credit: str | None,
        role: str | None,
        q: str | None,
        words: str | None,
        source_url: str | None,
        after: str | None,
        limit: int,
        visible: ColumnElement[bool] | None = None,
        text_of: ColumnElement[bool] | None = None,
    ) -> Sequence[Document]:
        assert visible is None and text_of is None, "the in-memory tables hold no access policies"

        def matches(document: Document) -> bool:
            versions = self.versions(document.id)
            return (
                (source_url is None or document.source_url == source_url)
                and (after is None or document.id < after)
                and (
                    (credit is None and role is None) or any(self._credits(v, credit, role) for v in versions)
                )
                and (q is None or any(_has_words(q, v.title) for v in versions))
                and (words is None or any(_has_words(words, v.title, v.text) for v in versions))
            )

        found = sorted((d for d in self.tables.documents.values() if matches(d)), key=lambda d: d.id)
        return found[::-1][:limit]

    def _credits(self, version: Version, credit: str | None, role: str | None) -> bool:
        name = normalize_name(credit) if credit is not None else None
        credits = (c for c in self.tables.credits.values() if c.version_id == version.id and c.accepted)
        return any(
            (name is None or name in c.agent.normalized_name) and role in (None, c.role) for c in credits
        )

    def add_version(self, version: Version) -> Version:
        version.id = self.tables.next_id()
        version.blob_blake3 = version.blob.blake3
        version.preview_blake3 = None if version.preview is None else version.preview.blake3
        version.archived_at = version.archived_at or utcnow()
        self.tables.versions[version.id] = version
        return version

    def version(self, document_id: str, number: int) -> Version | None:
        found = [v for v in self.versions(document_id) if v.number == number]
        return found[0] if found else None

    def latest_version_of(self, document_id: str) -> Version | None:
        document = self.get(document_id)
        return None if document is None else self.latest_version(document)

    def latest_version(self, document: Document) -> Version | None:
        return self.version(document.id, document.latest_version)

    def versions(self, document_id: str) -> Sequence[Version]:
        held = [v for v in self.tables.versions.values() if v.document_id == document_id]
        return sorted(held, key=lambda v: v.number)

    def version_times(self, document_id: str) -> Sequence[tuple[int, datetime]]:
        return [(v.number, v.archived_at) for v in self.versions(document_id)]

    def count_versions(self) -> int:
        return len(self.tables.versions)

    def versions_after(self, version_id: int, limit: int) -> Sequence[Version]:
        later = [v for v in self.tables.versions.values() if v.id > version_id]
        return sorted(later, key=lambda v: v.id)[:limit]

    def versions_holding_blob(self, blake3: str, limit: int) -> Sequence[Version]:
        held = [v for v in self.tables.versions.values() if v.blob_blake3 == blake3]
        return sorted(held, key=lambda v: (v.archived_at, v.id))[:limit]

    def version_text(self, version_id: int) -> str | None:
        version = self.tables.versions.get(version_id)
        return None if version is None else version.text

    def flush(self) -> None:
        """Nothing to write: the rows are the table."""


def _has_words(searched: str, *texts: str | None) -> bool:
    lowered = [text.lower() for text in texts if text is not None]
    return all(any(word in text for text in lowered) for word in search_words(searched))


class MemoryAttributionRepository(_MemoryRepository):
    def add_photos(self, photos: Sequence[Photo]) -> None:
        for photo in photos:
            photo.id = self.tables.next_id()
            self.tables.photos[photo.id] = photo

    def add_credits(self, credits: Sequence[Credit], notices: Sequence[Notice]) -> None:
        for credit in credits:
            credit.id = self.tables.next_id()
            credit.agent_id = credit.agent.id
            self.tables.credits[credit.id] = credit
        for notice in notices:
            notice.id = self.tables.next_id()
            self.tables.notices[notice.id] = notice

    def agents_for(self, wanted: Sequence[AgentWanted]) -> list[Agent]:
        found: list[Agent] = []
        for name, kind, identifiers in wanted:
            key = agent_key(name, kind)
            agent = self.tables.agents.get(key)
            if agent is None:
                agent = Agent(
                    id=self.tables.next_id(),
                    kind=kind,
                    name=name,
                    normalized_name=key[0],
                    identifiers={},
                    created_at=utcnow(),
                )
                self.tables.agents[key] = agent
            if identifiers and not identifiers.items() <= agent.identifiers.items():
                agent.identifiers = {**agent.identifiers, **identifiers}
            found.append(agent)
        return found

    def agent(self, agent_id: int) -> Agent | None:
        found = [agent for agent in self.tables.agents.values() if agent.id == agent_id]
        return found[0] if found else None

    def agent_credits(self, agent_id: int, limit: int) -> Sequence[tuple[Credit, Version]]:
        held = [
            (credit, self.tables.versions[credit.version_id])
            for credit in self.tables.credits.values()
            if credit.agent_id == agent_id and credit.accepted
        ]
        held.sort(key=lambda pair: (_descending(pair[1].document_id), pair[1].number, pair[0].position))
        return held[:limit]


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(character) for character in text)


class MemoryBlobRepository(_MemoryRepository):
    def lock(self, blake3: str) -> None:
        """Nothing to lock: a fake unit of work serves one thread."""

    def get(self, blake3: str) -> Blob | None:
        return self.tables.blobs.get(blake3)

    def by_sha256(self, sha256: str) -> Blob | None:
        found = [blob for blob in self.tables.blobs.values() if blob.sha256 == sha256]
        return found[0] if found else None

    def ensure(
        self,
        digests: Digests,
        media_type: str,
        derived: Derived | None = None,
        chunk_index: bytes | None = None,
    ) -> Blob:
        blob = self.tables.blobs.setdefault(
            digests.blake3,
            Blob(
                blake3=digests.blake3,
                sha256=digests.sha256,
                size=digests.size,
                media_type=media_type,
                created_at=utcnow(),
                derived_from=None if derived is None else derived.source,
                derivation=None if derived is None else derived.how,
                chunk_index=chunk_index,
            ),
        )
        if blob.chunk_index is None:
            blob.chunk_index = chunk_index
        return blob

    def chunk_index(self, blake3: str) -> bytes | None:
        blob = self.get(blake3)
        return None if blob is None else blob.chunk_index

    def set_chunk_index(self, blake3: str, chunk_index: bytes, *, only_if_missing: bool = False) -> None:
        blob = self.tables.blobs[blake3]
        if blob.chunk_index is None or not only_if_missing:
            blob.chunk_index = chunk_index

    def digests_of(self, blake3: str) -> Digests | None:
        blob = self.get(blake3)
        return None if blob is None else Digests(blake3=blob.blake3, sha256=blob.sha256, size=blob.size)

    def record_fixity(self, checks: Sequence[FixityCheckRow], statuses: Sequence[BlobFixityRow]) -> None:
        for row in checks:
            check = FixityCheck(id=self.tables.next_id(), **row)
            self.tables.fixity_checks[check.id] = check
        for status in statuses:
            blob = self.tables.blobs[status["blob_blake3"]]
            if blob.fixity_checked_at is None or blob.fixity_checked_at <= status["fixity_checked_at"]:
                blob.fixity_status = status["fixity_status"]
                blob.fixity_checked_at = status["fixity_checked_at"]

    def last_check(self, blake3: str) -> FixityCheck | None:
        held = [c for c in self.tables.fixity_checks.values() if c.blob_blake3 == blake3]
        return max(held, key=lambda c: (c.checked_at, c.id)) if held else None


class MemoryLogRepository(_MemoryRepository):
    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        return {key: self.tables.log_nodes[key] for key in keys if key in self.tables.log_nodes}

    def head(self) -> tuple[int, bytes]:
        return self.tables.log_head

    def size(self) -> int:
        return self.tables.log_head[0]

    def lock_head(self) -> int:
        return self.size()

    def append(self, entry: LogEntry, completed: Sequence[NodeRow], root: bytes) -> None:
        entry.created_at = entry.created_at or utcnow()
        self.tables.log_entries[entry.leaf_index] = entry
        self.tables.log_nodes.update({(level, index): digest for level, index, digest in completed})
        self.tables.log_head = (entry.leaf_index + 1, root)

    def entry(self, index: int) -> LogEntry | None:
        return self.tables.log_entries.get(index)

    def entries(self, start: int, stop: int) -> Sequence[LogEntry]:
        return [self.tables.log_entries[i] for i in range(start, stop) if i in self.tables.log_entries]

    def last_checkpoint(self) -> SignedCheckpoint | None:
        checkpoints = self.tables.checkpoints
        return checkpoints[max(checkpoints)] if checkpoints else None

    def add_checkpoint(self, size: int, root: bytes, note: str) -> SignedCheckpoint:
        signed = SignedCheckpoint(tree_size=size, root_hash=root, note=note, signed_at=utcnow())
        return self.tables.checkpoints.setdefault(size, signed)

    def signed_roots(self) -> dict[int, bytes]:
        return {size: bytes(c.root_hash) for size, c in self.tables.checkpoints.items()}

    def checkpoints_after(self, size: int, limit: int) -> Sequence[SignedCheckpoint]:
        return [self.tables.checkpoints[s] for s in sorted(self.tables.checkpoints) if s > size][:limit]


class MemoryKeyRepository(_MemoryRepository):
    def add(self, key: ApiKey) -> ApiKey:
        key.created_at = key.created_at or utcnow()
        self.tables.keys[key.id] = key
        return key

    def get(self, key_id: str) -> ApiKey | None:
        return self.tables.keys.get(key_id)

    def by_name(self, name: str) -> ApiKey | None:
        found = [key for key in self.tables.keys.values() if key.name == name]
        return found[0] if found else None

    def all(self) -> Sequence[ApiKey]:
        return sorted(self.tables.keys.values(), key=lambda key: key.created_at)

    def count(self) -> int:
        return len(self.tables.keys)

    def flush(self) -> None:
        """Nothing to write: the rows are the table."""

    def add_session(self, session: UiSession) -> None:
        session.created_at = session.created_at or utcnow()
        self.tables.ui_sessions[session.token_sha256] = session

    def get_session(self, token_sha256: str) -> UiSession | None:
        return self.tables.ui_sessions.get(token_sha256)

    def end_session(self, token_sha256: str, at: datetime) -> None:
        session = self.tables.ui_sessions.get(token_sha256)
        if session is not None and session.ended_at is None:
            session.ended_at = at

    def prune_sessions(self, before: datetime) -> None:
        for token, session in list(self.tables.ui_sessions.items()):
            if session.expires_at < before:
                del self.tables.ui_sessions[token]


class MemoryIdempotencyRepository(_MemoryRepository):
    def get(self, principal: str, key: str) -> IdempotencyRecord | None:
        return self.tables.idempotency.get((principal, key))

    def add_unless_taken(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        record.created_at = record.created_at or utcnow()
        return self.tables.idempotency.setdefault((record.principal, record.key), record)
