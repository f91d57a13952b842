"""Fixity: each blob's last check, every check's result, and audits (sweeps leased in batches).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import (
    AUDIT_ITEM_STATUS_VALUES,
    AUDIT_STATUS_VALUES,
    FIXITY_STATUS_VALUES,
    BigId,
    UTCDateTime,
)

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(f"status IN ({AUDIT_STATUS_VALUES})", name="status_known"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audits")),
    )
    op.create_table(
        "audit_items",
        sa.Column("audit_id", sa.String(26), nullable=False),
        sa.Column("blob_blake3", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(f"status IN ({AUDIT_ITEM_STATUS_VALUES})", name="status_known"),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"], name=op.f("fk_audit_items_audit_id_audits")),
        sa.ForeignKeyConstraint(
            ["blob_blake3"], ["blobs.blake3"], name=op.f("fk_audit_items_blob_blake3_blobs")
        ),
        sa.PrimaryKeyConstraint("audit_id", "blob_blake3", name=op.f("pk_audit_items")),
    )
    op.create_index(op.f("ix_audit_items_status"), "audit_items", ["status"])
    op.create_table(
        "fixity_checks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("blob_blake3", sa.String(64), nullable=False),
        sa.Column("audit_id", sa.String(26), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("found_blake3", sa.String(64), nullable=True),
        sa.Column("found_sha256", sa.String(64), nullable=True),
        sa.Column("found_size", sa.BigInteger(), nullable=True),
        sa.Column("checked_by", sa.String(100), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(f"status IN ({FIXITY_STATUS_VALUES})", name="status_known"),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"], name=op.f("fk_fixity_checks_audit_id_audits")),
        sa.ForeignKeyConstraint(
            ["blob_blake3"], ["blobs.blake3"], name=op.f("fk_fixity_checks_blob_blake3_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["log_index"], ["log_entries.leaf_index"], name=op.f("fk_fixity_checks_log_index_log_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixity_checks")),
    )
    op.create_index(op.f("ix_fixity_checks_audit_id"), "fixity_checks", ["audit_id"])
    op.create_index(op.f("ix_fixity_checks_blob_blake3"), "fixity_checks", ["blob_blake3"])
    with op.batch_alter_table("blobs") as batch_op:
        batch_op.add_column(sa.Column("fixity_status", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("fixity_checked_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("blobs") as batch_op:
        batch_op.drop_column("fixity_checked_at")
        batch_op.drop_column("fixity_status")
    op.drop_index(op.f("ix_fixity_checks_blob_blake3"), table_name="fixity_checks")
    op.drop_index(op.f("ix_fixity_checks_audit_id"), table_name="fixity_checks")
    op.drop_table("fixity_checks")
    op.drop_index(op.f("ix_audit_items_status"), table_name="audit_items")
    op.drop_table("audit_items")
    op.drop_table("audits")
