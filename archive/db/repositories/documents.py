"""Documents and their versions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import selectinload, undefer

from archive.db.models import Agent, Credit, Document, Version
from archive.db.repositories.base import SqlRepository
from archive.names import normalize_name

MAX_SEARCH_WORDS = 12


def search_words(text: str) -> list[str]:
    """The words searched for, lower-cased (`%` and `_` match themselves), at most `MAX_SEARCH_WORDS`."""
    return [word.lower() for word in text.split()][:MAX_SEARCH_WORDS]


FEW_CREDITED = 1_000


class SqlDocumentRepository(SqlRepository):
    def get(self, document_id: str) -> Document | None:
        return self.session.get(Document, document_id)

    def by_source_url(self, source_url: str) -> Document | None:
        return self.session.scalars(select(Document).where(Document.source_url == source_url)).one_or_none()

    def add(self, document: Document) -> Document:
        """A new document (its `latest_version` already 1 when its first version follows), written now."""
        self.insert_rows([document])
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
        """Documents, newest first, filtered by an accepted credit (a normalised-name match, optionally
        of one role) in any version, by words of a version's title (`q`) or of its title or text (`words`),
        or by source URL. Words match case-insensitively as substrings; every word must match one version."""
        query = select(Document)
        if credit is not None or role is not None:
            query = query.where(self._credited(credit, role))
        if q is not None:
            titled = select(Version.id).where(Version.document_id == Document.id)
            for word in search_words(q):
                titled = titled.where(func.lower(Version.title).contains(word, autoescape=True))
            query = query.where(exists(titled))
        if words is not None:
            worded = select(Version.id).where(Version.document_id == Document.id)
            if text_of is not None:  # the versions whose text the caller may search
                worded = worded.where(text_of)
            for word in search_words(words):
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
        if visible is not None:  # the documents the caller may see (`archive.services.access`)
            query = query.where(visible)
        return self.session.scalars(query.order_by(Document.id.desc()).limit(limit)).all()

    def _credited(self, credit: str | None, role: str | None) -> ColumnElement[bool]:
        """Documents with an accepted credit to a name (a normalised substring), of a role.

        A name credited on few documents (up to `FEW_CREDITED`) is looked up through the index on the
        credits' agent and its documents named outright, so that one credited on the oldest document alone
        does not walk the whole archive newest first; a name credited on many is checked per document
        newest first, where a page fills after a short walk (the matches are dense), on either database."""
        kept: list[ColumnElement[bool]] = [Credit.accepted.is_(True)]
        if role is not None:
            kept.append(Credit.role == role)
        named = Agent.normalized_name.contains(normalize_name(credit)) if credit is not None else None
        looked_up = list(kept)
        if named is not None:
            agents = self.session.scalars(select(Agent.id).where(named).limit(FEW_CREDITED + 1)).all()
            # the agents named outright, so that their credits are found through the index on agent_id
            looked_up.append(
                Credit.agent_id.in_(agents if len(agents) <= FEW_CREDITED else select(Agent.id).where(named))
            )
        # The credits alone are counted (joined to their versions, PostgreSQL reads them in parallel workers,
        # which cost more than the thousand rows at most read here).
        versions = self.session.scalars(
            select(Credit.version_id).where(*looked_up).limit(FEW_CREDITED + 1)
        ).all()
        if len(versions) <= FEW_CREDITED:  # every credit of the name read: its documents are these
            documents = select(Version.document_id).where(Version.id.in_(sorted(set(versions))))
            return Document.id.in_(sorted(set(self.session.scalars(documents))))
        walk = (
            select(Credit.id)
            .join(Version, Version.id == Credit.version_id)
            .where(Version.document_id == Document.id, *kept)
        )
        if named is not None:
            walk = walk.join(Agent, Agent.id == Credit.agent_id).where(named)
        # OFFSET 0 keeps PostgreSQL from turning the EXISTS into a join of every credit of the name, then
        # a sort (its estimate of their number is far too low): it is checked per document, newest first.
        return exists(walk.offset(0))

    def add_version(self, version: Version) -> Version:
        """Insert a version; its id is set."""
        self.insert_rows([version])
        return version

    def version(self, document_id: str, number: int) -> Version | None:
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
        return self.version(document.id, document.latest_version)

    def versions(self, document_id: str) -> Sequence[Version]:
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

    def versions_after(self, version_id: int, limit: int) -> Sequence[Version]:
        """Versions in the order they were added, from the one after `version_id`, with their text and
        credits loaded (what indexing them reads)."""
        return self.session.scalars(
            select(Version)
            .where(Version.id > version_id)
            .order_by(Version.id)
            .limit(limit)
            .options(undefer(Version.text), selectinload(Version.credits))
        ).all()

    def count_versions(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Version)) or 0)

    def flush(self) -> None:
        """Write what changed on loaded rows (a version's log index) now, not at commit."""
        self.session.flush()
