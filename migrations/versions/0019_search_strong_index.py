"""Search on PostgreSQL: a GIN index over each version's title and credited names alone (the A and B words
of its tsvector), so that the newest versions matching there are found without reading every version
that holds the words anywhere. SQLite's FTS5 table looks in one column or another by itself: nothing to do.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(
        "CREATE INDEX ix_search_vectors_strong ON search_vectors USING gin (ts_filter(tsv, '{a,b}'::\"char\"[]))"
    )
    op.execute("ANALYZE search_vectors")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX ix_search_vectors_strong")
