"""Every query the services need, in one place. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.db.models import ApiKey, Blob, Document, Version
from archive.digests import Digests


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # blobs

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
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["blake3"]))
        blob = self.session.get(Blob, digests.blake3)
        assert blob is not None
        return blob

    # documents

    def get_document(self, document_id: str) -> Document | None:
        return self.session.get(Document, document_id)

    def get_document_by_source_url(self, source_url: str) -> Document | None:
        return self.session.scalars(select(Document).where(Document.source_url == source_url)).one_or_none()

    def add_document(self, document: Document) -> Document:
        self.session.add(document)
        self.session.flush()
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

    # versions

    def add_version(self, version: Version) -> Version:
        self.session.add(version)
        self.session.flush()
        return version

    def get_version(self, document_id: str, number: int) -> Version | None:
        return self.session.scalars(
            select(Version).where(Version.document_id == document_id, Version.number == number)
        ).one_or_none()

    def latest_version(self, document: Document) -> Version | None:
        if document.latest_version == 0:
            return None
        return self.get_version(document.id, document.latest_version)

    def list_versions(self, document_id: str) -> Sequence[Version]:
        return self.session.scalars(
            select(Version).where(Version.document_id == document_id).order_by(Version.number)
        ).all()

    def versions_holding_blob(self, blake3: str, limit: int) -> Sequence[Version]:
        return self.session.scalars(
            select(Version)
            .where(Version.blob_blake3 == blake3)
            .order_by(Version.archived_at, Version.id)
            .limit(limit)
        ).all()

    # API keys

    def add_key(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key

    def get_key(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def get_key_by_name(self, name: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()

    def list_keys(self) -> Sequence[ApiKey]:
        return self.session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()

    def count_keys(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ApiKey)) or 0)
