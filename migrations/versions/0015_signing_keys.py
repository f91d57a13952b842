"""The log's signing keys over time: each key's public half and the range of tree sizes it signs.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vkey", sa.String(400), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("first_size", sa.BigInteger(), nullable=False),
        sa.Column("last_size", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("retired_by_leaf", sa.BigInteger(), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("first_size >= 0", name="first_size_not_negative"),
        sa.CheckConstraint("last_size IS NULL OR last_size >= first_size", name="range_ordered"),
        sa.CheckConstraint("length(key_id) = 8", name="key_id_length"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("vkey", name=op.f("uq_signing_keys_vkey")),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
