"""Previews: derived blobs (which blob each was made from, and how), and each version's preview.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("blobs") as batch:
        batch.add_column(sa.Column("derived_from", sa.String(64), nullable=True))
        batch.add_column(sa.Column("derivation", sa.String(200), nullable=True))
        batch.create_foreign_key("fk_blobs_derived_from_blobs", "blobs", ["derived_from"], ["blake3"])
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("preview_blake3", sa.String(64), nullable=True))
        batch.create_foreign_key("fk_versions_preview_blake3_blobs", "blobs", ["preview_blake3"], ["blake3"])


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_constraint("fk_versions_preview_blake3_blobs", type_="foreignkey")
        batch.drop_column("preview_blake3")
    with op.batch_alter_table("blobs") as batch:
        batch.drop_constraint("fk_blobs_derived_from_blobs", type_="foreignkey")
        batch.drop_column("derivation")
        batch.drop_column("derived_from")
