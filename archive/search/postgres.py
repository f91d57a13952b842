"""The production engine: a `tsvector` per version in `search_vectors`, under a GIN index.

Each version's words are stemmed by PostgreSQL's Snowball dictionary of its language (`archive_<language>`
configurations, made by the migration without stop-word lists, so that no word is left out of the index;
`simple` when the language is unknown). Accents are folded in Python first, so no extension is needed.
Title, credited names and body are weighed A, B and C. A query is built from the parsed tree with
`phraseto_tsquery` per phrase and configuration (bound parameters, never tsquery syntax), joined with the
tsquery operators; a phrase matches in any language's configuration.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
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


# A lexeme as PostgreSQL writes a tsquery: quoted, a quote inside doubled.
_LEXEME = re.compile(r"'(?:[^']|'')*'")


def _phrase_queries(session: Session, phrases: list[Phrase], configurations: list[str]) -> list[str]:
    """Per phrase, the tsquery text of its forms in every configuration (PostgreSQL's own output, its
    lexemes quoted), OR-ed, each form once: one round trip for the whole query."""
    words = [" ".join(fold(word) for word in phrase.words) for phrase in phrases]
    statement = text(
        "SELECT p.n, phraseto_tsquery(c.config::regconfig, p.words)::text "
        "FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS p(words, n) "
        "CROSS JOIN unnest(CAST(:configs AS text[])) AS c(config)"
    )
    forms: list[dict[str, None]] = [{} for _ in phrases]
    for number, form in session.execute(statement, {"words": words, "configs": configurations}):
        if form:
            forms[number - 1][form] = None
    return [" | ".join(f"( {form} )" for form in found) for found in forms]


def render_tsquery(
    session: Session, query: ParsedQuery, configurations: list[str], weights: str | None = None
) -> str | None:
    """The tsquery text of a parsed query (None when no phrase has a form: nothing can match). Every piece
    is PostgreSQL's own rendering of a phrase, joined here with the tsquery operators only; with `weights`
    (`AB`), what must match is looked for in the words of those weights only."""
    phrases = [*query.phrases(), *query.excluded]
    rendered = iter(_phrase_queries(session, phrases, configurations))
    clauses = []
    for clause in query.required:
        alternatives = [piece for piece in (next(rendered) for _ in clause.alternatives) if piece]
        if weights is not None:
            alternatives = [_LEXEME.sub(rf"\g<0>:{weights}", piece) for piece in alternatives]
        if not alternatives:
            return None
        clauses.append("( " + " | ".join(f"( {piece} )" for piece in alternatives) + " )")
    excluded = [f"!( {piece} )" for piece in rendered if piece]
    return " & ".join(clauses + excluded)


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
        configurations = query_configurations(filters)
        rendered = render_tsquery(self.session, query, configurations)
        if rendered is None:
            return Candidates()
        newest_first = (
            self._matching(rendered, filters).order_by(_VECTORS.c.version_id.desc()).limit(bound + 1)
        )

        def strong() -> Any:
            titled = render_tsquery(self.session, query, configurations, weights="AB")
            statement = self._matching(titled or rendered, filters)
            return self.session.execute(statement.order_by(_VECTORS.c.version_id.desc()).limit(bound)).all()

        def rescore(version_ids: list[int]) -> Any:
            statement = self._matching(rendered, filters).where(_VECTORS.c.version_id.in_(version_ids))
            return self.session.execute(statement)

        return ranked_within(self.session.execute(newest_first).all(), bound, strong, rescore)

    @staticmethod
    def _matching(rendered: str, filters: SearchFilters) -> Select[int, float]:
        tsquery = cast(literal(rendered), TSQUERY)
        tsv = _VECTORS.c.tsv
        statement = (
            select(Version.id, func.ts_rank(_WEIGHTS, tsv, tsquery))
            .select_from(_VECTORS)
            .join(Version, Version.id == _VECTORS.c.version_id)
            .where(tsv.op("@@")(tsquery))
        )
        return filtered(statement, filters)
