"""Each large blob's chunk index: the BLAKE3 of every 1 MiB piece, so ranges are checked as they are served.

Blobs archived before this revision have none; an audit that finds such a blob intact records its index, and
the first range read of one builds it (reading the whole blob once).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FITS_SIZE = "chunk_index IS NULL OR length(chunk_index) = 32 * ((size + 1048575) / 1048576)"


def upgrade() -> None:
    with op.batch_alter_table("blobs") as batch:
        batch.add_column(sa.Column("chunk_index", sa.LargeBinary(), nullable=True))
        batch.create_check_constraint("ck_blobs_chunk_index_fits_size", FITS_SIZE)


def downgrade() -> None:
    with op.batch_alter_table("blobs") as batch:
        batch.drop_constraint("ck_blobs_chunk_index_fits_size", type_="check")
        batch.drop_column("chunk_index")
