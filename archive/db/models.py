"""SQLAlchemy 2 typed models. Wire formats live in `archive.wire` and `archive.api.<feature>.schemas`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

from archive.domain.credits import AGENT_KINDS, CREDIT_ROLES
from archive.roles import Role

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no offset, so store UTC there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def hex_digest_checks(column: str) -> list[CheckConstraint]:
    """64 lowercase hex characters, enforced by the database itself on both dialects."""
    return [
        CheckConstraint(f"length({column}) = 64", name=f"{column}_length"),
        CheckConstraint(f"{column} ~ '^[0-9a-f]{{64}}$'", name=f"{column}_hex").ddl_if(dialect="postgresql"),
        CheckConstraint(f"{column} NOT GLOB '*[^0-9a-f]*'", name=f"{column}_hex").ddl_if(dialect="sqlite"),
    ]


def one_of(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


ROLE_VALUES = one_of([role.value for role in Role])
CREDIT_ROLE_VALUES = one_of(CREDIT_ROLES)
AGENT_KIND_VALUES = one_of(AGENT_KINDS)
SOURCE_VALUES = one_of(("supplied", "extracted"))
NOTICE_KIND_VALUES = one_of(("updated", "corrected", "editors_note"))
FIXITY_STATUSES = ("ok", "corrupt", "missing")
FIXITY_STATUS_VALUES = one_of(FIXITY_STATUSES)
AUDIT_STATUS_VALUES = one_of(("running", "done"))
AUDIT_ITEM_STATUS_VALUES = one_of(("pending", *FIXITY_STATUSES))
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


# One 32-byte entry per 1 MiB piece (`archive.digests.INDEX_PIECE_BYTES`), so no index of another blob fits.
CHUNK_INDEX_FITS_SIZE = "chunk_index IS NULL OR length(chunk_index) = 32 * ((size + 1048575) / 1048576)"


class Blob(Base):
    """An exact byte sequence, stored once under its BLAKE3 digest."""

    __tablename__ = "blobs"
    __table_args__ = (
        *hex_digest_checks("blake3"),
        *hex_digest_checks("sha256"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        CheckConstraint(CHUNK_INDEX_FITS_SIZE, name="chunk_index_fits_size"),
    )

    blake3: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last fixity check: what re-reading the stored bytes found, and when.
    fixity_status: Mapped[str | None] = mapped_column(String(16))
    fixity_checked_at: Mapped[datetime | None] = mapped_column()
    # A blob the archive made from another (a preview): which one, and how (`preview by Pillow 13.0.0`).
    derived_from: Mapped[str | None] = mapped_column(ForeignKey("blobs.blake3"))
    derivation: Mapped[str | None] = mapped_column(String(200))
    # The BLAKE3 of each 1 MiB piece of the bytes, in order (`archive.digests.ChunkIndexer`), for a blob of
    # more than one piece: a range is checked by reading only the pieces it touches. Part of the blob's
    # record, loaded only when a range of a large blob is read.
    chunk_index: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class Document(Base):
    """One logical source; its content and metadata live in its versions."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint("latest_version >= 0", name="latest_version_not_negative"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    source_url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    # The number of the latest version. Incremented with an atomic UPDATE, which also serialises
    # concurrent writers to one document on its row.
    latest_version: Mapped[int] = mapped_column(Integer, default=0)

    versions: Mapped[list[Version]] = relationship(
        back_populates="document", order_by="Version.number", lazy="raise"
    )


class Version(Base):
    """An immutable snapshot of a document: one blob plus the metadata it was archived with."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_versions_document_id_number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    number: Mapped[int] = mapped_column(Integer)
    blob_blake3: Mapped[str] = mapped_column(ForeignKey("blobs.blake3"), index=True)
    # A derived blob: a small image of the version's photo or of its PDF's first page.
    preview_blake3: Mapped[str | None] = mapped_column(ForeignKey("blobs.blake3"))
    media_type: Mapped[str] = mapped_column(String(255))
    filename: Mapped[str | None] = mapped_column(String(255))
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(35))
    published_at: Mapped[datetime | None] = mapped_column()
    modified_at: Mapped[datetime | None] = mapped_column()
    # Read from a file's embedded metadata: its copyright notice as stored, its caption or abstract, and
    # when it was made (schema.org dateCreated, ISO 8601 as the file states it: with its offset only
    # when the file gives one, a date alone when it gives no time).
    rights: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    date_created: Mapped[str | None] = mapped_column(String(40))
    # The file's C2PA manifest: present, valid, validation state, failures, signer, authors, remote.
    content_credentials: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The metadata the archivist supplied, as validated: what makes two uploads "the same".
    supplied: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The version's text (a plain-text document decoded, or an HTML page's main text): what evidence
    # spans index into. Deferred: listing versions does not load it.
    text: Mapped[str | None] = mapped_column(Text, deferred=True)
    # Whether it has one, read without the text: a version's `text_url` is given only then.
    has_text: Mapped[bool] = column_property(text.is_not(None))
    # Per descriptive field, where its value came from; and extracted values that lost to supplied ones.
    field_evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alternatives: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extraction_problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Which extractor read the bytes (its rules' revision and weights); null for versions read before it
    # was recorded.
    extracted_by: Mapped[str | None] = mapped_column(String(100))
    # The leaf of the verifiable log that records this version.
    log_index: Mapped[int | None] = mapped_column(ForeignKey("log_entries.leaf_index"), unique=True)

    document: Mapped[Document] = relationship(back_populates="versions", lazy="raise")
    blob: Mapped[Blob] = relationship(lazy="joined", foreign_keys=[blob_blake3])
    preview: Mapped[Blob | None] = relationship(lazy="select", foreign_keys=[preview_blake3])
    # Loaded when first read (serving a version's bytes needs none of them).
    credits: Mapped[list[Credit]] = relationship(order_by="Credit.position", lazy="select", viewonly=True)
    photos: Mapped[list[Photo]] = relationship(order_by="Photo.position", lazy="select", viewonly=True)
    notices: Mapped[list[Notice]] = relationship(order_by="Notice.position", lazy="select", viewonly=True)


class Agent(Base):
    """A person or organisation, as first printed, with the normalised form used to match it."""

    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("normalized_name", "kind", name="uq_agents_normalized_name_kind"),
        CheckConstraint(f"kind IN ({AGENT_KIND_VALUES})", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    normalized_name: Mapped[str] = mapped_column(String(300), index=True)
    identifiers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Photo(Base):
    """A photo of a version: its caption and credit line as printed, and where they were found."""

    __tablename__ = "photos"
    __table_args__ = (CheckConstraint(f"source IN ({SOURCE_VALUES})", name="source_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(Text)
    credit_line: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str | None] = mapped_column(String(100))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    # False for an extracted photo that supplied photos replaced (kept, with its evidence).
    accepted: Mapped[bool] = mapped_column(Boolean, default=True)

    credits: Mapped[list[Credit]] = relationship(order_by="Credit.position", lazy="selectin", viewonly=True)


class Credit(Base):
    """An agent credited with a role in a version (or in one of its photos), with its evidence."""

    __tablename__ = "credits"
    __table_args__ = (
        CheckConstraint(f"role IN ({CREDIT_ROLE_VALUES})", name="role_known"),
        CheckConstraint(f"source IN ({SOURCE_VALUES})", name="source_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))  # as printed in this version
    source: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str | None] = mapped_column(String(100))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    # The embedded metadata field it was read from (`PDF:Author`, `XMP-dc:Creator`), when it was.
    field: Mapped[str | None] = mapped_column(String(100))
    # False for an extracted credit that disagrees with what the archivist supplied for its role.
    accepted: Mapped[bool] = mapped_column(Boolean, default=True)

    agent: Mapped[Agent] = relationship(lazy="joined")


class Notice(Base):
    """An "Updated:", correction or editor's note found in a version, with its date when it gave one."""

    __tablename__ = "notices"
    __table_args__ = (CheckConstraint(f"kind IN ({NOTICE_KIND_VALUES})", name="kind_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    date: Mapped[datetime | None] = mapped_column()
    rule: Mapped[str | None] = mapped_column(String(100))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)


class ApiKey(Base):
    """An API key: a public id, a role, and the SHA-256 of the secret (never the secret)."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class UiSession(Base):
    """A signed-in web interface visitor: the SHA-256 of the session token their cookie holds (never the
    token, and never their API key), the key it stands for, and when it ends."""

    __tablename__ = "ui_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column()


class Audit(Base):
    """A fixity sweep over every blob; its items are leased to auditors in batches."""

    __tablename__ = "audits"
    __table_args__ = (CheckConstraint(f"status IN ({AUDIT_STATUS_VALUES})", name="status_known"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    requested_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    total: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditItem(Base):
    __tablename__ = "audit_items"
    __table_args__ = (CheckConstraint(f"status IN ({AUDIT_ITEM_STATUS_VALUES})", name="status_known"),)

    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), primary_key=True)
    blob_blake3: Mapped[str] = mapped_column(ForeignKey("blobs.blake3"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    checked_at: Mapped[datetime | None] = mapped_column()


class FixityCheck(Base):
    """One re-read of a blob from storage, and what it found."""

    __tablename__ = "fixity_checks"
    __table_args__ = (CheckConstraint(f"status IN ({FIXITY_STATUS_VALUES})", name="status_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    blob_blake3: Mapped[str] = mapped_column(ForeignKey("blobs.blake3"), index=True)
    audit_id: Mapped[str | None] = mapped_column(ForeignKey("audits.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    found_blake3: Mapped[str | None] = mapped_column(String(64))
    found_sha256: Mapped[str | None] = mapped_column(String(64))
    found_size: Mapped[int | None] = mapped_column(BigInteger)
    checked_by: Mapped[str] = mapped_column(String(100))
    log_index: Mapped[int | None] = mapped_column(ForeignKey("log_entries.leaf_index"))


class IdempotencyRecord(Base):
    """The first answer to a request sent with an `Idempotency-Key`, replayed to its retries."""

    __tablename__ = "idempotency_records"

    principal: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created: Mapped[bool] = mapped_column(Boolean)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The log's rows and the capture and watch rows live in modules of their own, on this metadata: importing
# the models imports them.
from archive.db import capture_models, governance_models, log_models, replica_models  # noqa: E402, F401
