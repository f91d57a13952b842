"""Every query the services need, in one place. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from sqlalchemy import Table, bindparam, exists, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from archive.db.models import Agent, ApiKey, Base, Blob, Credit, Document, FixityCheck, Version
from archive.digests import Digests
from archive.names import normalize_name

RowT = TypeVar("RowT", bound=Base)


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (the ORM types `__table__` as any FROM clause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class FixityCheckRow(TypedDict):
    """One `fixity_checks` row, as a bulk INSERT takes it."""

    blob_blake3: str
    audit_id: str | None
    checked_at: datetime
    status: str
    found_blake3: str | None
    found_sha256: str | None
    found_size: int | None
    checked_by: str
    log_index: int | None


class BlobFixityRow(TypedDict):
    """A blob's last fixity status, as `record_fixity`'s bulk UPDATE takes it."""

    blob_blake3: str
    fixity_status: str
    fixity_checked_at: datetime


MAX_SEARCH_WORDS = 12


def _search_words(text: str) -> list[str]:
    """The words searched for, lower-cased (`%` and `_` match themselves), at most `MAX_SEARCH_WORDS`."""
    return [word.lower() for word in text.split()][:MAX_SEARCH_WORDS]


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: RowT) -> RowT:
        self.session.add(row)
        self.session.flush()
        return row

    def add_all(self, rows: Sequence[Base]) -> None:
        """Insert rows in one flush (the ORM batches each table's INSERTs)."""
        self.session.add_all(rows)
        self.session.flush()

    def set_loaded(self, row: Base, attribute: str, value: object) -> None:
        """Give a row's view-only collection (or SQL-computed column) the value this transaction has just
        written, as if it had been loaded, so that it is not read back (a collection in its order)."""
        set_committed_value(row, attribute, value)

    def _insert(self) -> Callable[..., Any]:
        """INSERT with ON CONFLICT, in the dialect at hand (both speak it)."""
        dialect = self.session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    def insert_ignoring_conflict(self, model: type[Base], **values: Any) -> None:
        """INSERT a row unless its primary key (or a unique key) is taken; a racing writer won."""
        self.session.execute(self._insert()(model).values(**values).on_conflict_do_nothing())

    # blobs

    def lock_blob(self, blake3: str) -> None:
        """Hold a lock on a digest until the transaction ends, so that storing a blob and collecting it as
        garbage never interleave. PostgreSQL: a transaction advisory lock; SQLite: its write lock, which
        every transaction takes at BEGIN, already does it."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(bytes.fromhex(blake3[:16]), "big", signed=True)
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        else:
            self.session.connection()  # begins the transaction, and with it SQLite's write lock

    def is_referenced(self, blake3: str) -> bool:
        return self.session.get(Blob, blake3) is not None

    def get_blob(self, blake3: str) -> Blob | None:
        return self.session.get(Blob, blake3)

    def get_blob_by_sha256(self, sha256: str) -> Blob | None:
        return self.session.scalars(select(Blob).where(Blob.sha256 == sha256)).one_or_none()

    def ensure_blob(self, digests: Digests, media_type: str) -> Blob:
        """Insert the blob's row unless it exists; safe when two uploads of one blob race."""
        values = {
            "blake3": digests.blake3,
            "sha256": digests.sha256,
            "size": digests.size,
            "media_type": media_type,
        }
        self.session.execute(
            self._insert()(Blob).values(**values).on_conflict_do_nothing(index_elements=["blake3"])
        )
        blob = self.session.get(Blob, digests.blake3)
        assert blob is not None
        return blob

    def blob_digests(self, blake3: str) -> Digests | None:
        """What a blob's bytes should hash to, without loading (or later flushing) its row."""
        row = self.session.execute(
            select(Blob.blake3, Blob.sha256, Blob.size).where(Blob.blake3 == blake3)
        ).one_or_none()
        return None if row is None else Digests(blake3=row.blake3, sha256=row.sha256, size=row.size)

    # fixity

    def record_fixity(self, checks: Sequence[FixityCheckRow], statuses: Sequence[BlobFixityRow]) -> None:
        """Add check rows and set blobs' last status: one executemany each, whatever the number of blobs.

        Core statements on the tables, not the ORM's bulk forms, which spend more time per row than the
        database does. `statuses` are written in the order given; callers pass them in digest order, the
        order in which every writer locks blob rows.
        """
        if checks:
            self.session.execute(insert(table_of(FixityCheck)), checks)
        if statuses:
            blobs = table_of(Blob)
            # A check recorded meanwhile with a later time (a read that found the blob corrupt) stands.
            by_digest = (
                update(blobs)
                .where(
                    blobs.c.blake3 == bindparam("b_blake3"),
                    or_(
                        blobs.c.fixity_checked_at.is_(None),
                        blobs.c.fixity_checked_at <= bindparam("b_checked_at"),
                    ),
                )
                .values(fixity_status=bindparam("b_status"), fixity_checked_at=bindparam("b_checked_at"))
            )
            self.session.execute(
                by_digest,
                [
                    {
                        "b_blake3": row["blob_blake3"],
                        "b_status": row["fixity_status"],
                        "b_checked_at": row["fixity_checked_at"],
                    }
                    for row in statuses
                ],
            )

    # documents

    def get_document(self, document_id: str) -> Document | None:
        return self.session.get(Document, document_id)

    def get_document_by_source_url(self, source_url: str) -> Document | None:
        return self.session.scalars(select(Document).where(Document.source_url == source_url)).one_or_none()

    def add_document(self, document: Document) -> Document:
        """A new document, written with its first version's flush (its `latest_version` already 1)."""
        self.session.add(document)
        return document

    def next_version_number(self, document_id: str) -> int:
        """Claim the next version number of a document.

        One atomic UPDATE … RETURNING: it takes the document row's lock until the transaction ends, so
        concurrent writers to one document are serialised and never share a number.
        """
        claimed = self.session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(latest_version=Document.latest_version + 1)
            .returning(Document.latest_version)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        document = self.session.get(Document, document_id)
        if document is not None:
            self.session.refresh(document, ["latest_version"])
        return int(claimed)

    def search_documents(
        self,
        *,
        credit: str | None,
        role: str | None,
        q: str | None,
        source_url: str | None,
        after: str | None,
        limit: int,
        words: str | None = None,
    ) -> Sequence[Document]:
        """Documents, newest first, filtered by an accepted credit (a normalised-name match, optionally
        of one role) in any version, by words of a version's title (`q`) or of its title or text (`words`),
        or by source URL. Words match case-insensitively as substrings; every word must match one version."""
        query = select(Document)
        if credit is not None or role is not None:
            credited = (
                select(Credit.id)
                .join(Version, Version.id == Credit.version_id)
                .join(Agent, Agent.id == Credit.agent_id)
                .where(Version.document_id == Document.id, Credit.accepted.is_(True))
            )
            if credit is not None:
                credited = credited.where(Agent.normalized_name.contains(normalize_name(credit)))
            if role is not None:
                credited = credited.where(Credit.role == role)
            query = query.where(exists(credited))
        if q is not None:
            titled = select(Version.id).where(Version.document_id == Document.id)
            for word in _search_words(q):
                titled = titled.where(func.lower(Version.title).contains(word, autoescape=True))
            query = query.where(exists(titled))
        if words is not None:
            worded = select(Version.id).where(Version.document_id == Document.id)
            for word in _search_words(words):
                worded = worded.where(
                    or_(
                        func.lower(Version.title).contains(word, autoescape=True),
                        func.lower(Version.text).contains(word, autoescape=True),
                    )
                )
            query = query.where(exists(worded))
        if source_url is not None:
            query = query.where(Document.source_url == source_url)
        if after is not None:
            query = query.where(Document.id < after)
        return self.session.scalars(query.order_by(Document.id.desc()).limit(limit)).all()

    # versions

    def add_version(self, version: Version) -> Version:
        return self.add(version)  # with its document, when that is new too

    def get_version(self, document_id: str, number: int) -> Version | None:
        return self.session.scalars(
            select(Version).where(Version.document_id == document_id, Version.number == number)
        ).one_or_none()

    def latest_version_of(self, document_id: str) -> Version | None:
        """The latest version of a document, in one query (None: no such document, or no version)."""
        return self.session.scalars(
            select(Version)
            .join(Document, Document.id == Version.document_id)
            .where(Document.id == document_id, Version.number == Document.latest_version)
        ).one_or_none()

    def latest_version(self, document: Document) -> Version | None:
        if document.latest_version == 0:
            return None
        return self.get_version(document.id, document.latest_version)

    def list_versions(self, document_id: str) -> Sequence[Version]:
        return self.session.scalars(
            select(Version).where(Version.document_id == document_id).order_by(Version.number)
        ).all()

    def version_times(self, document_id: str) -> Sequence[tuple[int, datetime]]:
        """Each version's number and archiving time, oldest first, without loading the versions."""
        rows = self.session.execute(
            select(Version.number, Version.archived_at)
            .where(Version.document_id == document_id)
            .order_by(Version.number)
        ).all()
        return [(number, archived_at) for number, archived_at in rows]

    def versions_holding_blob(self, blake3: str, limit: int) -> Sequence[Version]:
        return self.session.scalars(
            select(Version)
            .where(Version.blob_blake3 == blake3)
            .order_by(Version.archived_at, Version.id)
            .limit(limit)
        ).all()

    def version_text(self, version_id: int) -> str | None:
        return self.session.scalar(select(Version.text).where(Version.id == version_id))

    # agents and credits

    def agents_for(self, wanted: Sequence[tuple[str, str, dict[str, str]]]) -> list[Agent]:
        """The agent of each `(name, kind, identifiers)`, in order: those not seen before are made (one
        INSERT … ON CONFLICT DO NOTHING for all, so racing writers make each once), all are read back in
        one SELECT, and identifiers not yet known are added."""
        keys = [(normalize_name(name) or name.casefold(), kind) for name, kind, _ in wanted]
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
        found = {
            (agent.normalized_name, agent.kind): agent
            for agent in self.session.scalars(
                select(Agent).where(Agent.normalized_name.in_({normalized for normalized, _ in rows}))
            )
        }
        for key, row in rows.items():
            agent = found[key]
            if row["identifiers"] and not row["identifiers"].items() <= agent.identifiers.items():
                agent.identifiers = {**agent.identifiers, **row["identifiers"]}
        return [found[key] for key in keys]

    def get_agent(self, agent_id: int) -> Agent | None:
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

    # API keys

    def add_key(self, key: ApiKey) -> ApiKey:
        return self.add(key)

    def get_key(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def get_key_by_name(self, name: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()

    def list_keys(self) -> Sequence[ApiKey]:
        return self.session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()

    def count_keys(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ApiKey)) or 0)
