"""What the engines share: an indexed version, the filters of a search, and what an engine answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from archive.search.query import ParsedQuery


@dataclass(frozen=True)
class IndexEntry:
    """A version as the index sees it: its text in three weights (title, credited names, body), the
    language it is read in, and (for engines outside the database) what filters look at."""

    version_id: int
    document_id: str
    number: int
    language: str | None
    title: str
    names: str
    body: str
    publisher: str | None = None
    media_type: str = ""
    published_at: datetime | None = None
    credits: tuple[tuple[str, str], ...] = ()
    """(name as printed, role) of each accepted credit of the version itself (not of its photos)."""


def entry_of(
    *,
    version_id: int,
    document_id: str,
    number: int,
    language: str | None,
    fields: dict[str, str | None],
    credits: Sequence[tuple[str, str]],
    publisher: str | None = None,
    media_type: str = "",
    published_at: datetime | None = None,
) -> IndexEntry:
    """A version as the index sees it: its title and subtitle, the names of its accepted credits, and its
    text (or its description when it has none). `fields` holds title, subtitle, text and description."""
    return IndexEntry(
        version_id=version_id,
        document_id=document_id,
        number=number,
        language=language,
        title=" ".join(part for part in (fields.get("title"), fields.get("subtitle")) if part),
        names=" ".join(name for name, _ in credits),
        body=" ".join(part for part in (fields.get("text"), fields.get("description")) if part),
        publisher=publisher,
        media_type=media_type,
        published_at=published_at,
        credits=tuple(credits),
    )


@dataclass(frozen=True)
class SearchFilters:
    credit: str | None = None
    """A normalised name, matched as a substring of an accepted credit's normalised name."""
    role: str | None = None
    publisher: str | None = None
    language: str | None = None
    media_type: str | None = None
    published_from: datetime | None = None
    published_before: datetime | None = None
    all_versions: bool = False


@dataclass(frozen=True)
class Candidates:
    """The versions that match, best first, as (version id, score); at most the bound asked for, and then
    `complete` is False: more matched, and the ranking is of the newest `bound` of them."""

    ranked: Sequence[tuple[int, float]] = field(default_factory=tuple)
    complete: bool = True


@dataclass(frozen=True)
class Hit:
    """What a result shows of a matching version."""

    version_id: int
    document_id: str
    number: int
    title: str | None
    publisher: str | None
    published_at: datetime | None
    language: str | None
    text: str | None
    latest: bool


@dataclass(frozen=True)
class Facets:
    """Counts over the candidates, each list most frequent first: (value, count)."""

    publisher: list[tuple[str, int]] = field(default_factory=list)
    credit: list[tuple[str, int]] = field(default_factory=list)
    year: list[tuple[str, int]] = field(default_factory=list)
    language: list[tuple[str, int]] = field(default_factory=list)


class SearchIndex(Protocol):
    """One engine's index, over the transaction of a unit of work: written in the transaction that adds a
    version, read by searches."""

    engine: str

    def add(self, entry: IndexEntry) -> None:
        """Index a version (in the caller's transaction)."""

    def clear(self) -> None:
        """Empty the index (before it is rebuilt)."""

    def count(self) -> int:
        """How many versions the index holds."""

    def candidates(self, query: ParsedQuery, filters: SearchFilters, bound: int) -> Candidates:
        """The matching versions, ranked within the newest `bound` that match (every one when fewer)."""

    def hits(self, version_ids: Sequence[int]) -> list[Hit]:
        """What the results show of these versions, in the order given."""

    def facets(self, version_ids: Sequence[int], size: int) -> Facets:
        """The `size` most frequent publishers, credited names, years and languages of these versions."""
