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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    any_,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session

from archive.db.models import Version
from archive.search.filters import (
    SqlSearchReads,
    credited_versions,
    filtered,
    newest,
    ranked_within,
    uncredited,
)
from archive.search.model import Candidates, IndexEntry, SearchFilters
from archive.search.query import ParsedQuery, Phrase
from archive.search.slices import Walked, newest_matches
from archive.search.text import STEMMED_LANGUAGES, fold, folded_text, snowball_language

VECTORS_TABLE = "search_vectors"
CONFIGURATIONS = tuple(f"archive_{language}" for language in STEMMED_LANGUAGES)
_VECTORS = table(VECTORS_TABLE, column("version_id", BigInteger), column("tsv"))
# ts_rank's weights of D, C, B, A: the body (C) a fifth of the title (A), credited names (B) half.
_WEIGHTS: ColumnElement[Any] = literal_column("'{0.05, 0.2, 0.5, 1.0}'::float4[]")
# The words of a version's title and names (weights A and B), indexed apart for the strongest matches.
_STRONG: ColumnElement[Any] = literal_column("'{a,b}'::\"char\"[]")
_EXTENT = text(
    "SELECT (SELECT max(version_id) FROM search_vectors), "
    "(SELECT reltuples FROM pg_class WHERE oid = 'search_vectors'::regclass)"
)
# The share of versions matching above which a slice is walked newest first rather than looked up.
WALK_SHARE = 0.2
# A phrase is checked in at most this many times `bound` versions holding all its words (GIN knows a
# version's words, not their order: each is read whole to check it), newest first.
PHRASE_CHECKS = 4
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


@dataclass(frozen=True)
class Rendered:
    """A parsed query as tsquery text: `whole`, what a matching version holds and what it does not;
    `required`, what it holds (without the exclusions), which a version's title and names are matched by."""

    whole: str
    required: str


def render_tsquery(session: Session, query: ParsedQuery, configurations: list[str]) -> Rendered | None:
    """The tsquery text of a parsed query (None when no phrase has a form: nothing can match). Every piece
    is PostgreSQL's own rendering of a phrase, joined here with the tsquery operators only."""
    phrases = [*query.phrases(), *query.excluded]
    rendered = iter(_phrase_queries(session, phrases, configurations))
    clauses = []
    for clause in query.required:
        alternatives = [piece for piece in (next(rendered) for _ in clause.alternatives) if piece]
        if not alternatives:
            return None
        clauses.append("( " + " | ".join(f"( {piece} )" for piece in alternatives) + " )")
    excluded = [f"!( {piece} )" for piece in rendered if piece]
    return Rendered(" & ".join(clauses + excluded), " & ".join(clauses))


class PostgresSearchIndex(SqlSearchReads):
    engine = "postgresql-tsvector"

    def __init__(self, session: Session) -> None:
        self.session = session

    def among(self, key: SQLColumnExpression[int], version_ids: Sequence[int]) -> ColumnElement[bool]:
        return key == any_(bindparam("version_ids", list(version_ids), type_=ARRAY(BigInteger)))

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
        rendered = render_tsquery(self.session, query, query_configurations(filters))
        if rendered is None:
            return Candidates()
        tsquery = cast(literal(rendered.whole), TSQUERY)
        matches = _VECTORS.c.tsv.op("@@")(tsquery)
        # Title and names: the A and B words alone, under their own index (`migrations/0019`).
        strong_matches = func.ts_filter(_VECTORS.c.tsv, _STRONG).op("@@")(
            cast(literal(rendered.required), TSQUERY)
        )
        credited = credited_versions(self.session, filters)
        if credited is not None:  # a few credited versions, each looked up
            statement = self._matching(tsquery, matches, uncredited(filters))
            statement = statement.where(self.among(_VECTORS.c.version_id, credited))
            newest_first = statement.order_by(_VECTORS.c.version_id.desc()).limit(bound + 1)
            return ranked_within(self.session.execute(newest_first).all(), bound)
        checks = PHRASE_CHECKS * bound if any(len(p.words) > 1 for p in query.phrases()) else None
        extent = self._extent()
        walked = self._walk(self._matching(tsquery, matches, filters), matches, extent, bound, checks=checks)

        # What a version must not hold is checked in its whole tsvector (only then: that condition would
        # lead the planner to the index of every word, to AND it with the index of titles and names).
        strong_only = and_(strong_matches, matches) if query.excluded else strong_matches

        def strong() -> Any:
            statement = self._matching(tsquery, strong_only, filters)
            return self._walk(statement, strong_matches, extent, bound - 1, checks=checks).rows

        def rescore(version_ids: list[int]) -> Any:
            statement = self._matching(tsquery, matches, filters).where(
                self.among(_VECTORS.c.version_id, version_ids)
            )
            return self.session.execute(statement)

        return ranked_within(walked.rows, bound, strong, rescore, exhausted=walked.complete)

    def _extent(self) -> tuple[int, float]:
        """The newest version's id and (the planner's count of) the versions indexed."""
        top, versions = self.session.execute(_EXTENT).one()
        return int(top or 0), float(versions or 0)

    def _walk(
        self,
        statement: Select[int, float],
        matches: ColumnElement[bool],
        extent: tuple[int, float],
        bound: int,
        *,
        checks: int | None,
    ) -> Walked:
        """The newest `bound + 1` rows of `statement`, slice by slice (`archive.search.slices`), sized from
        the planner's estimate of the share of versions `matches` holds."""
        top, versions = extent
        planned = select(literal(1)).select_from(_VECTORS).where(matches)
        connection = self.session.connection()
        compiled = planned.compile(connection)
        explain = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        share = min(1.0, float(explain.scalar_one()[0]["Plan"]["Plan Rows"]) / max(versions, top, 1))
        version_id = _VECTORS.c.version_id
        # Where most versions match, the walk along the ids stops soon; elsewhere the index finds the
        # matches of the slice and only their rows are read (each row is a few hundred bytes of tsvector),
        # then sorted: ordering by an expression of the id keeps the planner from walking the slice.
        order = version_id.desc() if share >= WALK_SHARE else (version_id + 0).desc()

        def read(low: int, high: int, limit: int) -> Sequence[Any]:
            ranged = statement.where(version_id >= low, version_id < high)
            return self.session.execute(ranged.order_by(order).limit(limit)).all()

        return newest_matches(read, top=top, share=share, bound=bound, checks=checks)

    @staticmethod
    def _matching(
        tsquery: ColumnElement[Any], matches: ColumnElement[bool], filters: SearchFilters
    ) -> Select[int, float]:
        statement = (
            select(Version.id, func.ts_rank(_WEIGHTS, _VECTORS.c.tsv, tsquery))
            .select_from(_VECTORS)
            .join(Version, Version.id == _VECTORS.c.version_id)
            .where(matches)
        )
        return filtered(statement, filters)
