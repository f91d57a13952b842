"""The verifiable log: leaves, complete subtree hashes, the head row, signed checkpoints; versions' leaves.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column("leaf_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("leaf_index >= 0", name="leaf_index_not_negative"),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_log_entries")),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_log_checkpoints")),
    )
    with op.batch_alter_table("versions") as batch_op:
        batch_op.add_column(sa.Column("log_index", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_versions_log_index"), ["log_index"])
        batch_op.create_foreign_key(
            op.f("fk_versions_log_index_log_entries"), "log_entries", ["log_index"], ["leaf_index"]
        )


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch_op:
        batch_op.drop_constraint(op.f("fk_versions_log_index_log_entries"), type_="foreignkey")
        batch_op.drop_constraint(op.f("uq_versions_log_index"), type_="unique")
        batch_op.drop_column("log_index")
    for table in ("log_checkpoints", "log_head", "log_nodes", "log_entries"):
        op.drop_table(table)
