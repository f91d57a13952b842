"""Full-text search: an FTS5 table on SQLite, a tsvector table under a GIN index on PostgreSQL (with a text
search configuration per Snowball language that keeps every word), and every existing version indexed.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from archive.search.model import entry_of
from archive.search.postgres import PostgresSearchIndex
from archive.search.sqlite import CREATE_FTS, SqliteSearchIndex
from archive.search.text import STEMMED_LANGUAGES

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The word token types of PostgreSQL's parser, stemmed by the language's dictionary (no stop words).
WORD_TOKENS = (
    "asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart"
)
BATCH = 500

_versions = sa.table(
    "versions",
    *(sa.column(name) for name in ("id", "document_id", "number", "language", "title", "subtitle")),
    *(sa.column(name) for name in ("text", "description", "publisher", "media_type")),
)
_credits = sa.table(
    "credits",
    *(sa.column(name) for name in ("version_id", "name", "role", "accepted", "photo_id", "position")),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(CREATE_FTS)
    else:
        for language in STEMMED_LANGUAGES:
            op.execute(
                f"CREATE TEXT SEARCH DICTIONARY archive_{language}_stem (TEMPLATE = snowball, Language = {language})"
            )
            op.execute(f"CREATE TEXT SEARCH CONFIGURATION archive_{language} (COPY = simple)")
            op.execute(
                f"ALTER TEXT SEARCH CONFIGURATION archive_{language} "
                f"ALTER MAPPING FOR {WORD_TOKENS} WITH archive_{language}_stem"
            )
        op.execute(
            "CREATE TABLE search_vectors (version_id BIGINT PRIMARY KEY REFERENCES versions (id), "
            "tsv TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_vectors_tsv ON search_vectors USING gin (tsv)")
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    session = Session(bind=bind)
    index = SqliteSearchIndex(session) if bind.dialect.name == "sqlite" else PostgresSearchIndex(session)
    last = 0
    while rows := bind.execute(
        sa.select(_versions).where(_versions.c.id > last).order_by("id").limit(BATCH)
    ).all():
        credited: dict[int, list[tuple[str, str]]] = {}
        for version_id, name, role in bind.execute(
            sa.select(_credits.c.version_id, _credits.c.name, _credits.c.role)
            .where(_credits.c.version_id.in_([row.id for row in rows]), _credits.c.accepted.is_(True))
            .where(_credits.c.photo_id.is_(None))
            .order_by(_credits.c.version_id, _credits.c.position)
        ):
            credited.setdefault(version_id, []).append((name, role))
        for row in rows:
            fields = {name: getattr(row, name) for name in ("title", "subtitle", "text", "description")}
            index.add(
                entry_of(
                    version_id=row.id,
                    document_id=row.document_id,
                    number=row.number,
                    language=row.language,
                    fields=fields,
                    credits=credited.get(row.id, []),
                )
            )
        last = rows[-1].id
    session.flush()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
        return
    op.execute("DROP TABLE search_vectors")
    for language in STEMMED_LANGUAGES:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION archive_{language}")
        op.execute(f"DROP TEXT SEARCH DICTIONARY archive_{language}_stem")
