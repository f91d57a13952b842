"""Full-text search: indexing a version as it is archived, answering a search, rebuilding the index.

A version is indexed by `_add_version`'s transaction (`index_version`), so a search never misses a version
that was acknowledged. A search ranks within a bounded set of candidates, the newest that match
(`Settings.search_candidates`): the cost of a word found in most documents stays bounded, and `total` and
the facets count that set, saying so (`total_exact` false) when more matched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from archive.db.models import Version
from archive.search.model import Facets, Hit, IndexEntry, SearchFilters, entry_of
from archive.search.query import ParsedQuery, parse_query
from archive.search.snippets import snippet
from archive.services.unit_of_work import UnitOfWork

FACET_SIZE = 10
REINDEX_BATCH = 500


def index_entry(version: Version) -> IndexEntry:
    """A version, its credits loaded, as the index sees it."""
    return entry_of(
        version_id=version.id,
        document_id=version.document_id,
        number=version.number,
        language=version.language,
        fields={
            "title": version.title,
            "subtitle": version.subtitle,
            "text": version.text,
            "description": version.description,
        },
        credits=[
            (credit.name, credit.role)
            for credit in version.credits
            if credit.accepted and credit.photo_id is None
        ],
        publisher=version.publisher,
        media_type=version.media_type,
        published_at=version.published_at,
    )


def index_version(uow: UnitOfWork, version: Version) -> None:
    """Index a new version, in the transaction that adds it."""
    uow.search.add(index_entry(version))


@dataclass(frozen=True)
class SearchRequest:
    q: str | None
    filters: SearchFilters
    limit: int
    offset: int = 0


@dataclass(frozen=True)
class SearchResult:
    hit: Hit
    snippet: str
    score: float


@dataclass(frozen=True)
class SearchPage:
    total: int
    total_exact: bool
    results: list[SearchResult]
    facets: Facets
    next_offset: int | None
    problems: tuple[str, ...] = field(default=())
    engine: str = ""


def search(
    uow: UnitOfWork,
    request: SearchRequest,
    *,
    candidates: int,
    withheld: Callable[[Sequence[int]], set[int]] | None = None,
) -> SearchPage:
    """In a reading transaction: the page of results of a search, ranked within at most `candidates`;
    `withheld` names, of the versions found, those the caller is shown nothing of (results or facets)."""
    query = parse_query(request.q) if request.q is not None else ParsedQuery()
    if request.q is not None and query.empty:
        return SearchPage(0, True, [], Facets(), None, query.problems, uow.search.engine)
    found = uow.search.candidates(query, request.filters, candidates)
    ranked = list(found.ranked)
    if withheld is not None:
        hidden = withheld([version_id for version_id, _ in ranked])
        ranked = [pair for pair in ranked if pair[0] not in hidden]
    page = ranked[request.offset : request.offset + request.limit]
    scores = dict(page)
    results = [
        SearchResult(
            hit, snippet(hit.text or hit.title, hit.language, query), round(scores[hit.version_id], 6)
        )
        for hit in uow.search.hits([version_id for version_id, _ in page])
    ]
    after = request.offset + request.limit
    return SearchPage(
        total=len(ranked),
        total_exact=found.complete,
        results=results,
        facets=uow.search.facets([version_id for version_id, _ in ranked], FACET_SIZE),
        next_offset=after if after < len(ranked) else None,
        problems=query.problems,
        engine=uow.search.engine,
    )


def reindex(uow: UnitOfWork, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index from every version, in batches of their own transactions (the embedded database's
    write lock is held a batch at a time); `progress(done, total)` after each. The number indexed."""
    with uow.writing():
        uow.search.clear()
        total = uow.documents.count_versions()
    done, last = 0, 0
    while True:
        with uow.writing():
            versions = uow.documents.versions_after(last, REINDEX_BATCH)
            for version in versions:
                index_version(uow, version)
        if not versions:
            return done
        done, last = done + len(versions), versions[-1].id
        if progress is not None:
            progress(done, max(total, done))
