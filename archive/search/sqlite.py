"""The embedded engine: a contentless SQLite FTS5 table whose rowid is the version's id.

Words are folded and stemmed in Python (`archive.search.text`) before FTS5 sees them, in the version's
language; a query's words are stemmed in every language a document may be in, and any of those forms
matches. Title, credited names and body are three columns weighed 10, 5 and 1 by bm25.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    column,
    literal,
    literal_column,
    select,
    table,
    text,
)

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
from archive.search.query import Clause, ParsedQuery, Phrase
from archive.search.slices import ReadSlice, newest_matches
from archive.search.text import STEMMED_LANGUAGES, fold, snowball_language, stem, stemmed_text

FTS_TABLE = "search_fts"
CREATE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, names, body, content='', tokenize='unicode61 remove_diacritics 2')"
)
_FTS = table(FTS_TABLE, column("rowid", Integer))
# bm25 is lower for better matches: negated, a higher score is better, as on PostgreSQL.
_SCORE: ColumnElement[float] = literal_column("-bm25(search_fts, 10.0, 5.0, 1.0)")
# A word or phrase in more versions than this is not weighed by bm25, which would read every one of them
# (to count them) however few are ranked: its matches are scored by where they match instead.
COUNTABLE = 20_000
# The score of a match in the title or names, when not weighed by bm25 (as bm25 weighs the title to the text).
STRONG = 10.0
# A phrase is checked in at most this many times `bound` versions holding all its words, newest first.
PHRASE_CHECKS = 20


def query_languages(filters: SearchFilters) -> list[str | None]:
    """The languages a query's words are stemmed in: the one asked for, else every one (and none)."""
    if filters.language is not None:
        return [snowball_language(filters.language), None]
    return [*STEMMED_LANGUAGES, None]


def phrase_forms(phrase: Phrase, languages: list[str | None]) -> list[str]:
    """The phrase's folded words stemmed in each language: every distinct form, in a stable order."""
    forms: dict[str, None] = {}
    for language in languages:
        form = " ".join(stem(fold(word), language) for word in phrase.words).strip()
        if form:
            forms[form] = None
    return list(forms)


def _quoted(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"'


def _phrase(phrase: Phrase, languages: list[str | None], *, relaxed: bool = False) -> str:
    """A phrase's forms, OR-ed; `relaxed`, each form's words anywhere (what the index alone tells)."""
    forms = phrase_forms(phrase, languages)
    if relaxed:
        return "(" + " OR ".join("(" + " AND ".join(map(_quoted, form.split())) + ")" for form in forms) + ")"
    return "(" + " OR ".join(map(_quoted, forms)) + ")"


def render_match(
    query: ParsedQuery, languages: list[str | None], columns: str | None = None, *, relaxed: bool = False
) -> str:
    """The FTS5 MATCH expression of a parsed query: every word a quoted string (never FTS5 syntax); with
    `columns` (`title names`), what must match is looked for in those columns only; `relaxed`, a phrase's
    words anywhere, and no exclusion."""
    clauses = [
        "(" + " OR ".join(_phrase(phrase, languages, relaxed=relaxed) for phrase in clause.alternatives) + ")"
        for clause in query.required
    ]
    if relaxed:
        return " AND ".join(clauses)
    match = " AND ".join(clauses)
    if columns is not None:
        match = f"{{{columns}}} : ({match})"
    if query.excluded:
        match = (
            f"({match}) NOT (" + " OR ".join(_phrase(phrase, languages) for phrase in query.excluded) + ")"
        )
    return match


class SqliteSearchIndex(SqlSearchReads):
    engine = "sqlite-fts5"

    def among(self, key: SQLColumnExpression[int], version_ids: Sequence[int]) -> ColumnElement[bool]:
        listed = text("SELECT value FROM json_each(:ids)").bindparams(ids=json.dumps(list(version_ids)))
        return key.in_(listed.columns(column("value", Integer)))

    def add(self, entry: IndexEntry) -> None:
        language = snowball_language(entry.language)
        self.session.execute(
            text("INSERT INTO search_fts (rowid, title, names, body) VALUES (:id, :title, :names, :body)"),
            {
                "id": entry.version_id,
                "title": stemmed_text(entry.title, language),
                "names": stemmed_text(entry.names, language),
                "body": stemmed_text(entry.body, language),
            },
        )

    def clear(self) -> None:
        self.session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))

    def count(self) -> int:
        return int(self.session.scalar(text("SELECT count(*) FROM search_fts")) or 0)

    def candidates(self, query: ParsedQuery, filters: SearchFilters, bound: int) -> Candidates:
        self.facts.clear()
        if query.empty:
            return newest(self, filters, bound)
        languages = query_languages(filters)
        match = render_match(query, languages)
        credited = credited_versions(self.session, filters)
        if credited is not None:
            return self._among_credited(match, uncredited(filters), credited, bound)
        if not all(self._countable(phrase, languages) for phrase in [*query.phrases(), *query.excluded]):
            return self._unscored(query, languages, filters, bound)
        newest_first = self._matching(match, filters).order_by(_FTS.c.rowid.desc()).limit(bound + 1)

        def strong() -> Any:
            # Scored by their title and names alone: FTS5 finds no cheap way to score a set of rowids
            # under another expression (each rowid of an IN list runs the whole MATCH again).
            titled = render_match(query, languages, columns="title names")
            statement = self._matching(titled, filters).order_by(_FTS.c.rowid.desc()).limit(bound)
            return self.noted(statement)

        return ranked_within(self.noted(newest_first), bound, strong)

    def _newer_than(self, match: str, count: int) -> int | None:
        """The id of the `count`th newest version matching (None when fewer match), read from the index."""
        statement = text(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :match ORDER BY rowid DESC LIMIT 1 OFFSET :n"
        )
        found = self.session.scalar(statement, {"match": match, "n": count - 1})
        return None if found is None else int(found)

    def _countable(self, phrase: Phrase, languages: list[str | None]) -> bool:
        """Whether bm25 can count the versions holding the phrase cheaply: its words are together in at most
        `COUNTABLE` versions (bm25 reads every match of each phrase of a query, to weigh it)."""
        single = ParsedQuery(required=(Clause((phrase,)),))
        return self._newer_than(render_match(single, languages, relaxed=True), COUNTABLE + 1) is None

    def _unscored(
        self, query: ParsedQuery, languages: list[str | None], filters: SearchFilters, bound: int
    ) -> Candidates:
        """A query with a word or phrase in too many versions for bm25: the newest matches, read slice by
        slice (`archive.search.slices`; a phrase checked in at most `PHRASE_CHECKS` x bound versions
        holding its words), and the newest that match in the title or names, scored by where they match:
        the title or names (10, as bm25 weighs them), else the text alone (1); newest first within each."""
        top = int(self.session.scalar(text("SELECT max(rowid) FROM search_fts")) or 0)
        # The share of versions holding the words: how far back the newest `bound` of them reach.
        oldest = self._newer_than(render_match(query, languages, relaxed=True), bound)
        share = bound / (top - oldest + 1) if oldest is not None else 1 / max(top, 1)
        checks = PHRASE_CHECKS * bound if any(len(p.words) > 1 for p in query.phrases()) else None
        walked = newest_matches(
            self._unscored_slice(render_match(query, languages), filters, share),
            top=top,
            share=share,
            bound=bound,
            checks=checks,
        )
        titled = self._unscored_slice(render_match(query, languages, columns="title names"), filters, share)
        since = walked.rows[-1][0] if walked.rows else top + 1
        reach = title_checks(filters, share, bound, checks)
        older_titled = newest_matches(titled, top=since - 1, share=share, bound=bound - 1, checks=reach)
        strong = {row[0] for row in [*titled(since, top + 1, bound + 1), *older_titled.rows]}
        rows = [(row[0], STRONG + 1.0 if row[0] in strong else 1.0) for row in walked.rows]
        older = sorted(strong.difference(row[0] for row in walked.rows), reverse=True)
        return ranked_within(
            rows, bound, lambda: [(version_id, STRONG) for version_id in older], exhausted=walked.complete
        )

    def _unscored_slice(self, match: str, filters: SearchFilters, share: float) -> ReadSlice:
        """Reads the matches of a slice of rowids. Where the words are in at least `CREDITED_RANGE_SHARE` of
        the versions, a credit filter's versions are read once per slice (`credited_between`)."""
        rowid = _FTS.c.rowid
        ranged = share >= CREDITED_RANGE_SHARE and (filters.credit is not None or filters.role is not None)

        def read(low: int, high: int, limit: int) -> Sequence[Any]:
            """Rows of (version id, 0, *FACT_COLUMNS): unscored."""
            statement = self._matching(match, uncredited(filters) if ranged else filters, score=literal(0.0))
            statement = statement.where(rowid >= low, rowid < high).order_by(rowid.desc()).limit(limit)
            if ranged:  # `rowid + 0`: a filter on what FTS5 finds (as a constraint it would run per rowid)
                statement = statement.where(credited_between(rowid + 0, filters, low, high))
            return self.noted(statement)

        return read

    def _among_credited(
        self, match: str, filters: SearchFilters, credited: list[int], bound: int
    ) -> Candidates:
        """The matches among a few credited versions: each looked up in the index by its rowid (unscored:
        bm25 would count every match of each word again per rowid), then scored in one pass over the
        matches between the oldest and the newest of them."""
        rowid = _FTS.c.rowid
        looked_up = self._matching(match, filters).where(self.among(rowid, credited))
        unscored = looked_up.with_only_columns(Version.id).order_by(rowid.desc()).limit(bound + 1)
        matched = list(self.session.scalars(unscored))
        if not matched:
            return Candidates()
        # `+rowid` is not a constraint FTS5 is given (it would run the match per rowid): a filter.
        among_matched = text("+search_fts.rowid IN (SELECT value FROM json_each(:matched))")
        scored = self._matching(match, filters).where(
            rowid >= min(matched),
            rowid <= max(matched),
            among_matched.bindparams(matched=json.dumps(matched)),
        )
        return ranked_within(self.noted(scored), bound)

    @staticmethod
    def _matching(match: str, filters: SearchFilters, score: ColumnElement[float] = _SCORE) -> ScoredRows:
        """Rows of (version id, score, *FACT_COLUMNS) of the versions matching."""
        statement = (
            select(Version.id, score, *FACT_COLUMNS)
            .select_from(_FTS)
            .join(Version, Version.id == _FTS.c.rowid)
            .where(text("search_fts MATCH :match").bindparams(match=match))
        )
        return filtered(statement, filters)
