"""Governance: withdrawals (takedowns), purges and the tombstones of the blobs they removed, per-document
policies (restriction, embargo, legal hold) and the grants that open a restricted document to a key.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _document(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["document_id"], ["documents.id"], name=op.f(f"fk_{table}_document_id_documents")
    )


def _leaf(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["log_entries.leaf_index"], name=op.f(f"fk_{table}_{column}_log_entries")
    )


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(26), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_by", sa.String(100), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("reversed_at", UTCDateTime(), nullable=True),
        sa.Column("reversed_by", sa.String(100), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.Column("reversal_log_index", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("version IS NULL OR version >= 1", name="version_positive"),
        _document("withdrawals"),
        _leaf("withdrawals", "log_index"),
        _leaf("withdrawals", "reversal_log_index"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawals")),
        sa.UniqueConstraint("log_index", name=op.f("uq_withdrawals_log_index")),
        sa.UniqueConstraint("reversal_log_index", name=op.f("uq_withdrawals_reversal_log_index")),
    )
    op.create_index(op.f("ix_withdrawals_document_id"), "withdrawals", ["document_id"])
    op.create_table(
        "purges",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(26), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("purged_at", UTCDateTime(), nullable=False),
        sa.Column("purged_by", sa.String(100), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("blobs", sa.JSON(), nullable=False),
        sa.CheckConstraint("version IS NULL OR version >= 1", name="version_positive"),
        _document("purges"),
        _leaf("purges", "log_index"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purges")),
        sa.UniqueConstraint("log_index", name=op.f("uq_purges_log_index")),
    )
    op.create_index(op.f("ix_purges_document_id"), "purges", ["document_id"])
    op.create_table(
        "purged_blobs",
        sa.Column("blake3", sa.String(64), nullable=False),
        sa.Column("purge_id", BigId, nullable=False),
        sa.Column("purged_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["blake3"], ["blobs.blake3"], name=op.f("fk_purged_blobs_blake3_blobs")),
        sa.ForeignKeyConstraint(["purge_id"], ["purges.id"], name=op.f("fk_purged_blobs_purge_id_purges")),
        sa.PrimaryKeyConstraint("blake3", name=op.f("pk_purged_blobs")),
    )
    op.create_index(op.f("ix_purged_blobs_purge_id"), "purged_blobs", ["purge_id"])
    op.create_table(
        "document_policies",
        sa.Column("document_id", sa.String(26), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("embargoed_until", UTCDateTime(), nullable=True),
        sa.Column("held_since", UTCDateTime(), nullable=True),
        sa.Column("held_by", sa.String(100), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        _document("document_policies"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_policies")),
    )
    op.create_table(
        "access_grants",
        sa.Column("document_id", sa.String(26), nullable=False),
        sa.Column("key_name", sa.String(100), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        _document("access_grants"),
        sa.PrimaryKeyConstraint("document_id", "key_name", name=op.f("pk_access_grants")),
    )


def downgrade() -> None:
    op.drop_table("access_grants")
    op.drop_table("document_policies")
    op.drop_index(op.f("ix_purged_blobs_purge_id"), table_name="purged_blobs")
    op.drop_table("purged_blobs")
    op.drop_index(op.f("ix_purges_document_id"), table_name="purges")
    op.drop_table("purges")
    op.drop_index(op.f("ix_withdrawals_document_id"), table_name="withdrawals")
    op.drop_table("withdrawals")
