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
    CREDITED_RANGE_SHARE,
    FACT_COLUMNS,
    ScoredRows,
    SqlSearchReads,
    credited_between,
    credited_versions,
    filtered,
    newest,
    ranked_within,
    title_checks,
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
# Set for the search's transaction: a slice's rows (each with its tsvector, a few hundred bytes to kilobytes)
# are sorted in memory, not spilled to disk past the default 4 MB; no parallel workers, whose start costs
# more than the few thousand rows a slice reads (rare word at 10^6: 84 -> 30 ms p50, on 2 busy cores); and
# a plan made for each statement's own values: the driver prepares a statement run five times, and after
# five more PostgreSQL may keep a generic plan, blind to the words' frequency and the slice's bounds (a rare
# word's read at 10^6: 14 ms with its own plan, 80 to 100 ms with the generic one).
_SEARCH_SETTINGS = text(
    "SELECT set_config('work_mem', '64MB', true), set_config('max_parallel_workers_per_gather', '0', true), "
    "set_config('plan_cache_mode', 'force_custom_plan', true)"
)
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
        self.facts.clear()
        self.session.execute(_SEARCH_SETTINGS)
        if query.empty:
            return newest(self, filters, bound)
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
            return ranked_within(self.noted(newest_first), bound)
        checks = PHRASE_CHECKS * bound if any(len(p.words) > 1 for p in query.phrases()) else None
        extent = self._extent()
        walked = self._walk(tsquery, matches, filters, matches, extent=extent, bound=bound, checks=checks)

        # What a version must not hold is checked in its whole tsvector (only then: that condition would
        # lead the planner to the index of every word, to AND it with the index of titles and names).
        strong_only = and_(strong_matches, matches) if query.excluded else strong_matches

        def strong() -> Any:
            return self._walk(
                tsquery,
                strong_only,
                filters,
                strong_matches,
                extent=extent,
                bound=bound - 1,
                checks=checks,
                titled=True,
            ).rows

        # The title and names pool is scored as the newest matches are (`ts_rank` of the whole tsvector and
        # query), and holds only versions that match the whole query: its scores are final.
        return ranked_within(walked.rows, bound, strong, exhausted=walked.complete)

    def _extent(self) -> tuple[int, float]:
        """The newest version's id and (the planner's count of) the versions indexed."""
        top, versions = self.session.execute(_EXTENT).one()
        return int(top or 0), float(versions or 0)

    def _walk(
        self,
        tsquery: ColumnElement[Any],
        condition: ColumnElement[bool],
        filters: SearchFilters,
        matches: ColumnElement[bool],
        *,
        extent: tuple[int, float],
        bound: int,
        checks: float | None,
        titled: bool = False,
    ) -> Walked:
        """The newest `bound + 1` versions meeting `condition` and the filters, slice by slice
        (`archive.search.slices`), sized from the planner's estimate of the share of versions `matches`
        holds. Where that share is at least `CREDITED_RANGE_SHARE`, a credit filter's versions are read
        once per slice (`credited_between`); `titled`, the walk is bounded under a credit filter
        (`title_checks`)."""
        top, versions = extent
        planned = select(literal(1)).select_from(_VECTORS).where(matches)
        connection = self.session.connection()
        compiled = planned.compile(connection)
        explain = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        share = min(1.0, float(explain.scalar_one()[0]["Plan"]["Plan Rows"]) / max(versions, top, 1))
        version_id = _VECTORS.c.version_id
        ranged = share >= CREDITED_RANGE_SHARE and (filters.credit is not None or filters.role is not None)
        kept = uncredited(filters) if ranged else filters

        def read(low: int, high: int, limit: int) -> Sequence[Any]:
            if share >= WALK_SHARE:  # most versions match: the walk along the ids stops soon
                sliced = self._matching(tsquery, condition, kept).where(version_id >= low, version_id < high)
                order: ColumnElement[Any] = version_id
            else:
                sliced, order = _sorted_slice(tsquery, condition, kept, low, high)
            if ranged:
                sliced = sliced.where(credited_between(Version.id, filters, low, high))
            return self.noted(sliced.order_by(order.desc()).limit(limit))

        if titled:
            checks = title_checks(filters, share, bound, checks)
        return newest_matches(read, top=top, share=share, bound=bound, checks=checks)

    @staticmethod
    def _matching(
        tsquery: ColumnElement[Any], matches: ColumnElement[bool], filters: SearchFilters
    ) -> ScoredRows:
        """Rows of (version id, score, *FACT_COLUMNS) of the versions matching."""
        statement = (
            select(Version.id, func.ts_rank(_WEIGHTS, _VECTORS.c.tsv, tsquery), *FACT_COLUMNS)
            .select_from(_VECTORS)
            .join(Version, Version.id == _VECTORS.c.version_id)
            .where(matches)
        )
        return filtered(statement, filters)


def _sorted_slice(
    tsquery: ColumnElement[Any], condition: ColumnElement[bool], filters: SearchFilters, low: int, high: int
) -> tuple[ScoredRows, ColumnElement[Any]]:
    """The matches of a slice found by the index, sorted by id before anything else is read of them (a
    subquery the planner keeps apart: `OFFSET 0`), and the column to order the rows by. Then only the newest
    are joined to their versions, until the page is full, and ranked (`ts_rank` reads a whole tsvector): the
    planner would otherwise join and rank every match of the slice, then sort them. The id is sorted as an
    expression, which keeps the planner from walking the slice along the ids and checking every row."""
    version_id = _VECTORS.c.version_id
    ordering = (version_id + 0).label("ordering")
    found = (
        select(version_id, _VECTORS.c.tsv, ordering)
        .where(condition, version_id >= low, version_id < high)
        .order_by(ordering.desc())
        .offset(0)
        .subquery()
    )
    statement = (
        select(Version.id, func.ts_rank(_WEIGHTS, found.c.tsv, tsquery), *FACT_COLUMNS)
        .select_from(found)
        .join(Version, Version.id == found.c.version_id)
    )
    return filtered(statement, filters), found.c.ordering
