"""The production engine: a `tsvector` per version in `search_vectors`, under a GIN index.

Each version's words are stemmed by PostgreSQL's Snowball dictionary of its language (`archive_<language>`
configurations, made by the migration without stop-word lists, so that no word is left out of the index;
`simple` when the language is unknown). Accents are folded in Python first, so no extension is needed.
Title, credited names and body are weighed A, B and C. A query is built from the parsed tree with
`phraseto_tsquery` per phrase and configuration (bound parameters, never tsquery syntax), joined with the
tsquery operators; a phrase matches in any language's configuration.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from archive.db.models import Version
from archive.search.filters import SqlSearchReads, filtered, newest, ranked_within
from archive.search.model import Candidates, IndexEntry, SearchFilters
from archive.search.query import ParsedQuery, Phrase
from archive.search.text import STEMMED_LANGUAGES, fold, folded_text, snowball_language

VECTORS_TABLE = "search_vectors"
CONFIGURATIONS = tuple(f"archive_{language}" for language in STEMMED_LANGUAGES)
_VECTORS = table(VECTORS_TABLE, column("version_id", BigInteger), column("tsv"))
# ts_rank's weights of D, C, B, A: the body (C) a fifth of the title (A), credited names (B) half.
_WEIGHTS: ColumnElement[Any] = literal_column("'{0.05, 0.2, 0.5, 1.0}'::float4[]")
_INSERT = text(
    "INSERT INTO search_vectors (version_id, tsv) VALUES (:id, "
    "setweight(to_tsvector(CAST(:config AS regconfig), :title), 'A') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), :names), 'B') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), :body), 'C'))"
)


def configuration(language: str | None) -> str:
    """The text search configuration of a version's language."""
    snowball = snowball_language(language)
    return f"archive_{snowball}" if snowball is not None else "simple"


def query_configurations(filters: SearchFilters) -> list[str]:
    if filters.language is not None:
        return [configuration(filters.language)]
    return [*CONFIGURATIONS, "simple"]


def _phrase(phrase: Phrase, configurations: list[str]) -> ColumnElement[Any]:
    words: BindParameter[str] = bindparam(None, " ".join(fold(word) for word in phrase.words))
    queries = [
        func.phraseto_tsquery(literal_column(f"'{name}'::regconfig"), words) for name in configurations
    ]
    return reduce(func.tsquery_or, queries)


def _any(phrases: tuple[Phrase, ...], configurations: list[str]) -> ColumnElement[Any]:
    return reduce(func.tsquery_or, [_phrase(phrase, configurations) for phrase in phrases])


def render_tsquery(query: ParsedQuery, configurations: list[str]) -> ColumnElement[Any]:
    """The tsquery of a parsed query, as an SQL expression over bound parameters."""
    required = reduce(
        func.tsquery_and, [_any(clause.alternatives, configurations) for clause in query.required]
    )
    if not query.excluded:
        return required
    return func.tsquery_and(required, func.tsquery_not(_any(query.excluded, configurations)))


class PostgresSearchIndex(SqlSearchReads):
    engine = "postgresql-tsvector"

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: IndexEntry) -> None:
        self.session.execute(
            _INSERT,
            {
                "id": entry.version_id,
                "config": configuration(entry.language),
                "title": folded_text(entry.title),
                "names": folded_text(entry.names),
                "body": folded_text(entry.body),
            },
        )

    def clear(self) -> None:
        self.session.execute(text("DELETE FROM search_vectors"))

    def count(self) -> int:
        return int(self.session.scalar(text("SELECT count(*) FROM search_vectors")) or 0)

    def candidates(self, query: ParsedQuery, filters: SearchFilters, bound: int) -> Candidates:
        if query.empty:
            return newest(self.session, filters, bound)
        tsquery = render_tsquery(query, query_configurations(filters))
        tsv = _VECTORS.c.tsv
        statement = (
            select(Version.id, func.ts_rank(_WEIGHTS, tsv, tsquery))
            .select_from(_VECTORS)
            .join(Version, Version.id == _VECTORS.c.version_id)
            .where(tsv.op("@@")(tsquery))
        )
        statement = filtered(statement, filters).order_by(_VECTORS.c.version_id.desc()).limit(bound + 1)
        return ranked_within(self.session.execute(statement).all(), bound)
