"""Witness cosignatures and RFC 3161 time-stamps of signed checkpoints, and where each attestor stands.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = "kind IN ('cosignature', 'timestamp')"


def upgrade() -> None:
    op.create_table(
        "checkpoint_attestations",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("attestor", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("attested_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(_KINDS, name="kind_known"),
        sa.ForeignKeyConstraint(
            ["tree_size"],
            ["log_checkpoints.tree_size"],
            name=op.f("fk_checkpoint_attestations_tree_size_log_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("tree_size", "attestor", name=op.f("pk_checkpoint_attestations")),
    )
    op.create_table(
        "attestors",
        sa.Column("id", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("attested_size", sa.BigInteger(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_success_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.CheckConstraint(_KINDS, name="kind_known"),
        sa.CheckConstraint("attested_size >= 0", name="attested_size_not_negative"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestors")),
    )


def downgrade() -> None:
    op.drop_table("attestors")
    op.drop_table("checkpoint_attestations")
