"""SQLAlchemy 2 typed models. Wire formats live in `archive.api.schemas`, not here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Blob(Base):
    """An exact byte sequence, stored once under its BLAKE3 digest."""

    __tablename__ = "blobs"
    __table_args__ = (
        *hex_digest_checks("blake3"),
        *hex_digest_checks("sha256"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    blake3: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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

    document: Mapped[Document] = relationship(back_populates="versions", lazy="raise")
    blob: Mapped[Blob] = relationship(lazy="joined")


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
