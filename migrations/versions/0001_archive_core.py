"""Archive core: blobs, documents, versions, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import ROLE_VALUES, BigId, UTCDateTime, hex_digest_checks

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("blake3", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *hex_digest_checks("blake3"),
        *hex_digest_checks("sha256"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.PrimaryKeyConstraint("blake3", name=op.f("pk_blobs")),
        sa.UniqueConstraint("sha256", name=op.f("uq_blobs_sha256")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("source_url", sa.String(2048), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("latest_version >= 0", name="latest_version_not_negative"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("source_url", name=op.f("uq_documents_source_url")),
    )
    op.create_table(
        "versions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(26), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("blob_blake3", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("archived_at", UTCDateTime(), nullable=False),
        sa.Column("archived_by", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_url", sa.String(2048), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("subtitle", sa.Text(), nullable=True),
        sa.Column("publisher", sa.String(500), nullable=True),
        sa.Column("language", sa.String(35), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.ForeignKeyConstraint(
            ["blob_blake3"], ["blobs.blake3"], name=op.f("fk_versions_blob_blake3_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_versions_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint("document_id", "number", name="uq_versions_document_id_number"),
    )
    op.create_index(op.f("ix_versions_blob_blake3"), "versions", ["blob_blake3"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_versions_blob_blake3"), table_name="versions")
    op.drop_table("versions")
    op.drop_table("documents")
    op.drop_table("blobs")
