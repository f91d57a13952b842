"""Embedded metadata: a version's rights, description and date of creation, read from the file itself,
and the embedded field each credit was read from.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("rights", sa.Text(), nullable=True))
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("date_created", sa.String(40), nullable=True))
    with op.batch_alter_table("credits") as batch:
        batch.add_column(sa.Column("field", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credits") as batch:
        batch.drop_column("field")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("date_created")
        batch.drop_column("description")
        batch.drop_column("rights")
