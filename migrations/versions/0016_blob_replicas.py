"""The second copy of each blob: which blobs the replica holds, and what its last check found.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blob_replicas",
        sa.Column("blake3", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("copied_at", UTCDateTime(), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('ok', 'corrupt', 'missing')", name="status_known"),
        sa.ForeignKeyConstraint(["blake3"], ["blobs.blake3"], name=op.f("fk_blob_replicas_blake3_blobs")),
        sa.PrimaryKeyConstraint("blake3", name=op.f("pk_blob_replicas")),
    )


def downgrade() -> None:
    op.drop_table("blob_replicas")
