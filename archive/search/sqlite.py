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
    Select,
    SQLColumnExpression,
    column,
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
from archive.search.text import STEMMED_LANGUAGES, fold, snowball_language, stem, stemmed_text

FTS_TABLE = "search_fts"
CREATE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, names, body, content='', tokenize='unicode61 remove_diacritics 2')"
)
_FTS = table(FTS_TABLE, column("rowid", Integer))
# bm25 is lower for better matches: negated, a higher score is better, as on PostgreSQL.
_SCORE: ColumnElement[float] = literal_column("-bm25(search_fts, 10.0, 5.0, 1.0)")


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


def _phrase(phrase: Phrase, languages: list[str | None]) -> str:
    quoted = [f'"{form.replace(chr(34), chr(34) * 2)}"' for form in phrase_forms(phrase, languages)]
    return "(" + " OR ".join(quoted) + ")"


def render_match(query: ParsedQuery, languages: list[str | None], columns: str | None = None) -> str:
    """The FTS5 MATCH expression of a parsed query: every word a quoted string (never FTS5 syntax); with
    `columns` (`title names`), what must match is looked for in those columns only."""
    clauses = [
        "(" + " OR ".join(_phrase(phrase, languages) for phrase in clause.alternatives) + ")"
        for clause in query.required
    ]
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

    def __init__(self, session: Session) -> None:
        self.session = session

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
        if query.empty:
            return newest(self.session, filters, bound)
        languages = query_languages(filters)
        match = render_match(query, languages)
        newest_first = self._matching(match, filters).order_by(_FTS.c.rowid.desc()).limit(bound + 1)

        def strong() -> Any:
            # Scored by their title and names alone: FTS5 finds no cheap way to score a set of rowids
            # under another expression (each rowid of an IN list runs the whole MATCH again).
            titled = render_match(query, languages, columns="title names")
            statement = self._matching(titled, filters).order_by(_FTS.c.rowid.desc()).limit(bound)
            return self.session.execute(statement).all()

        return ranked_within(self.session.execute(newest_first).all(), bound, strong)

    @staticmethod
    def _matching(match: str, filters: SearchFilters) -> Select[int, float]:
        statement = (
            select(Version.id, _SCORE)
            .select_from(_FTS)
            .join(Version, Version.id == _FTS.c.rowid)
            .where(text("search_fts MATCH :match").bindparams(match=match))
        )
        return filtered(statement, filters)
