"""The filters of a search as SQL over the versions table, shared by the database engines."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from archive.db.models import Agent, Credit, Document, Version
from archive.search.model import Candidates, Facets, Hit, SearchFilters

Columns = TypeVarTuple("Columns")
# Of a result's text, what a snippet is looked for in (the rest is not read from the database).
SNIPPET_SOURCE_CHARS = 60_000
# What the facets count of a version, read by the candidates' own queries after its id and score (the
# version's row is read there anyway, for the filters), so that the facets need not read it again.
FACT_COLUMNS = (Version.publisher, Version.language, extract("year", Version.published_at))
# A version's publisher, language and year of publication.
Fact = tuple[str | None, str | None, int | None]
# The candidates' rows: version id, score, and FACT_COLUMNS.
ScoredRows = Select[int, float, str | None, str | None, Any]


def filtered(statement: Select[*Columns], filters: SearchFilters) -> Select[*Columns]:
    """`statement` (which selects from `versions`) narrowed to what the filters let through, and to each
    document's latest version unless `all_versions`."""
    if not filters.all_versions:
        statement = statement.join(
            Document, and_(Document.id == Version.document_id, Document.latest_version == Version.number)
        )
    if filters.publisher is not None:
        statement = statement.where(func.lower(Version.publisher) == filters.publisher.lower())
    if filters.language is not None:
        language = filters.language.lower()
        statement = statement.where(
            or_(
                func.lower(Version.language) == language,
                func.lower(Version.language).startswith(f"{language}-", autoescape=True),
            )
        )
    if filters.media_type is not None:
        media_type = filters.media_type.lower()
        statement = statement.where(
            or_(
                Version.media_type == media_type,
                Version.media_type.startswith(f"{media_type};", autoescape=True),
            )
        )
    if filters.published_from is not None:
        statement = statement.where(Version.published_at >= filters.published_from)
    if filters.published_before is not None:
        statement = statement.where(Version.published_at < filters.published_before)
    if filters.credit is not None or filters.role is not None:
        statement = statement.where(exists(_credited(filters)))
    return statement


def _credited(filters: SearchFilters) -> Select[Any]:
    return _credits(filters).with_only_columns(Credit.id).where(Credit.version_id == Version.id)


def _credits(filters: SearchFilters, agent: SQLColumnExpression[int] = Credit.agent_id) -> Select[Any]:
    credited = select(Credit.version_id).where(Credit.accepted.is_(True))
    if filters.credit is not None:
        # The agents named are found once (a scan of the agents, not one per candidate version).
        named = select(Agent.id).where(Agent.normalized_name.contains(filters.credit, autoescape=True))
        credited = credited.where(agent.in_(named))
    if filters.role is not None:
        credited = credited.where(Credit.role == filters.role)
    return credited


# A credit filter naming at most this many versions is met by looking those versions up in the index.
FEW_CREDITED = 1_000


def credited_versions(session: Session, filters: SearchFilters) -> list[int] | None:
    """The versions the credit and role filters let through, when there are at most `FEW_CREDITED` (None
    when there are more, or no such filter): few enough to look each up, where checking every match of a
    common word for the credit would walk most of the archive."""
    if filters.credit is None and filters.role is None:
        return None
    found = session.scalars(_credits(filters).distinct().limit(FEW_CREDITED + 1)).all()
    return sorted(found, reverse=True) if len(found) <= FEW_CREDITED else None


# A credit filter naming more than `FEW_CREDITED` versions, with words in at least this share of versions:
# each slice of versions read (`archive.search.slices`) reads the credits of its range once, by the index on
# their version, rather than checking each match for the credit (tens of thousands of checks, each reading
# the match's row and its credits, for a name on a few percent of a common word's matches).
CREDITED_RANGE_SHARE = 0.05
# Under such a filter, the newest matches in a title or credited names (`ranked_within`'s `strong`) older
# than the newest matches are looked for among at most this many times `bound` versions: few of them are
# both titled with the words and credited, and finding `bound` of them would walk most of the archive.
CREDITED_TITLE_REACH = 50


def title_checks(filters: SearchFilters, share: float, bound: int, checks: float | None) -> float | None:
    """The `checks` (versions holding the words) of the walk for older title and names matches: bounded to
    `CREDITED_TITLE_REACH` x `bound` versions under a credit or role filter, at `share` holding the words."""
    if filters.credit is None and filters.role is None:
        return checks
    reach = CREDITED_TITLE_REACH * bound * share
    return reach if checks is None else min(checks, reach)


def credited_between(
    key: SQLColumnExpression[int], filters: SearchFilters, low: int, high: int
) -> ColumnElement[bool]:
    """`key`, a version id, is of a version with `low` <= id < `high` that the credit and role filters let
    through: those of the range are read once (a range of the credits' version index), not per version."""
    # `agent_id + 0`: read by the range of version ids, not by the agents' index (all their credits).
    credited = _credits(filters, Credit.agent_id + 0)
    return key.in_(credited.where(Credit.version_id >= low, Credit.version_id < high))


def uncredited(filters: SearchFilters) -> SearchFilters:
    """The filters but credit and role (met otherwise: by `credited_versions`)."""
    return replace(filters, credit=None, role=None)


def newest(reads: SqlSearchReads, filters: SearchFilters, bound: int) -> Candidates:
    """Without words to look for: the newest versions the filters let through, unranked (score 0)."""
    statement = filtered(select(Version.id, literal(0.0), *FACT_COLUMNS), filters)
    statement = statement.order_by(Version.id.desc()).limit(bound + 1)
    return ranked_within(reads.noted(statement), bound)


def ranked_within(
    rows: Any,
    bound: int,
    strong: Callable[[], Any] | None = None,
    *,
    exhausted: bool = True,
) -> Candidates:
    """Rows of (version id, score), newest first and one past the bound, ranked best first.

    When more matched than the bound, the newest matches are joined by `strong`'s rows: the newest `bound`
    that match in their title or credited names, which weigh most (the likeliest to rank first, however
    old), with the score `strong` gave them. Both pools are ranked together. `exhausted` false: the rows
    given stopped short of every match (more may have matched, however few were given)."""
    found = _scored(rows)
    complete = exhausted and len(found) <= bound
    found = found[:bound]
    if not complete and strong is not None:
        have = {version_id for version_id, _ in found}
        found += [row for row in _scored(strong()) if row[0] not in have]
    ranked = sorted(found, key=lambda row: (-row[1], -row[0]))
    return Candidates(ranked=ranked, complete=complete)


def _scored(rows: Any) -> list[tuple[int, float]]:
    return [(int(row[0]), float(row[1])) for row in rows]


def fact_of(row: Sequence[Any]) -> Fact:
    """The facet values of a row of `FACT_COLUMNS`, as the facets count them."""
    publisher, language, year = row
    return publisher, language, int(year) if year is not None else None


class SqlSearchReads:
    """What both database engines read the same way: the versions behind results, and facet counts.

    A set of version ids reaches the database as one parameter (`among`, the engine's own way: a JSON
    array on SQLite, an array on PostgreSQL), not as a list of thousands of bound values, and rows are read
    without the ORM's loading: a search's reads cost what the database spends on them.

    What the candidates' queries read of each version's facet values (`FACT_COLUMNS`, after its id and
    score) is kept in `facts` by `noted`, for the facets of the same search."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.facts: dict[int, Fact] = {}

    def noted(self, statement: Executable) -> Sequence[Any]:
        """The rows of a statement of (version id, score, *FACT_COLUMNS), read without the ORM's loading,
        their facet values kept for `facets`."""
        rows = self.session.connection().execute(statement).all()
        for row in rows:
            self.facts[int(row[0])] = fact_of(row[2:5])
        return rows

    def among(self, key: SQLColumnExpression[int], version_ids: Sequence[int]) -> ColumnElement[bool]:
        """`key` is one of `version_ids`."""
        raise NotImplementedError

    def hits(self, version_ids: Sequence[int]) -> list[Hit]:
        if not version_ids:
            return []
        rows = self.session.connection().execute(
            select(
                Version.id,
                Version.document_id,
                Version.number,
                Version.title,
                Version.publisher,
                Version.published_at,
                Version.language,
                func.substr(Version.text, 1, SNIPPET_SOURCE_CHARS),
                Document.latest_version == Version.number,
            )
            .join(Document, Document.id == Version.document_id)
            .where(self.among(Version.id, version_ids))
        )
        found = {row[0]: Hit(*row) for row in rows}
        return [found[version_id] for version_id in version_ids if version_id in found]

    def facets(self, version_ids: Sequence[int], size: int) -> Facets:
        if not version_ids:
            return Facets()
        connection = self.session.connection()
        unknown = [version_id for version_id in version_ids if version_id not in self.facts]
        rows = [self.facts[version_id] for version_id in version_ids if version_id in self.facts]
        if unknown:
            read = connection.execute(select(*FACT_COLUMNS).where(self.among(Version.id, unknown)))
            rows += [fact_of(row) for row in read]
        # Read by version id alone, and filtered here: a condition on `photo_id IS NULL` leads SQLite's
        # planner to the photo index, which every credit of the archive is in.
        credited = connection.execute(
            select(Credit.version_id, Agent.name, Credit.accepted, Credit.photo_id)
            .join(Agent, Agent.id == Credit.agent_id)
            .where(self.among(Credit.version_id, version_ids))
        ).all()
        names = {(version, name) for version, name, accepted, photo in credited if accepted and photo is None}
        return Facets(
            publisher=most_common([row[0] for row in rows if row[0]], size),
            credit=most_common([str(name) for _, name in names], size),
            year=most_common([str(row[2]) for row in rows if row[2] is not None], size),
            language=most_common([str(row[1]).lower() for row in rows if row[1]], size),
        )


def most_common(values: list[str], size: int) -> list[tuple[str, int]]:
    return heapq.nsmallest(size, Counter(values).items(), key=lambda item: (-item[1], item[0]))
