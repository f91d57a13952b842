"""Full-text search over the archived versions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from archive.api.deps import Context, Reader, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import MAX_PAGE_SIZE
from archive.api.search.schemas import (
    LANGUAGE_PATTERN,
    MAX_QUERY_CHARS,
    FacetOut,
    FacetsOut,
    SearchHitOut,
    SearchPageOut,
)
from archive.domain.credits import CreditRole
from archive.names import normalize_name
from archive.search.model import Facets, SearchFilters
from archive.services.access import search_for
from archive.services.search import SearchPage, SearchRequest

router = APIRouter(prefix="/v1/search", tags=["search"])

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_OFFSET = 100_000
MEDIA_TYPE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A parameter out of its range or pattern."),
    503: problem_doc("The database is unavailable; retry."),
}


def _iso_day(value: object) -> object:
    """A day as `YYYY-MM-DD` only (not a number of seconds, as a lax date would take)."""
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


@router.get(
    "",
    response_model=SearchPageOut,
    summary="Search the archive's text: web-search syntax, ranked, with snippets and facets",
    responses=_ERRORS,
)
def search_versions(
    *,
    uow: Uow,
    context: Context,
    viewer: Reader,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_CHARS,
            description='Words (all must match), "a phrase", -excluded, a OR b. Matched by word forms, '
            "case- and accent-insensitively. Absent: every version the filters let through, newest first.",
        ),
    ] = None,
    credit: Annotated[
        str | None, Query(min_length=1, max_length=300, description="A credited name (part of it).")
    ] = None,
    role: Annotated[CreditRole | None, Query(description="Only credits with this role.")] = None,
    publisher: Annotated[
        str | None, Query(pattern=r"^[^\x00-\x1f\x7f]+$", max_length=500, description="Exactly, any case.")
    ] = None,
    language: Annotated[
        str | None,
        Query(pattern=LANGUAGE_PATTERN, max_length=35, description="A BCP 47 tag: `de` matches `de-AT`."),
    ] = None,
    media_type: Annotated[str | None, Query(pattern=MEDIA_TYPE_PATTERN, description="`text/html`, …")] = None,
    published_from: Annotated[
        date | None, Query(description="Published on or after this day (UTC)."), BeforeValidator(_iso_day)
    ] = None,
    published_to: Annotated[
        date | None, Query(description="Published on or before this day (UTC)."), BeforeValidator(_iso_day)
    ] = None,
    all_versions: Annotated[bool, Query(description="Search every version, not only the latest.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,6}$", description="`next_cursor` of the previous page.")
    ] = None,
) -> SearchPageOut:
    filters = SearchFilters(
        credit=normalize_name(credit) if credit is not None else None,
        role=role,
        publisher=publisher,
        language=language,
        media_type=media_type,
        published_from=_start_of(published_from),
        published_before=_start_of(published_to + timedelta(days=1))
        if published_to and published_to < date.max
        else None,
        all_versions=all_versions,
    )
    request = SearchRequest(q=q, filters=filters, limit=limit, offset=min(int(cursor or 0), MAX_OFFSET))
    with uow.reading():
        page = search_for(uow, viewer, request, candidates=context.settings.search_candidates)
    return render_page(page)


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None


def render_page(page: SearchPage) -> SearchPageOut:
    return SearchPageOut(
        total=page.total,
        total_exact=page.total_exact,
        results=[
            SearchHitOut(
                document_id=result.hit.document_id,
                version=result.hit.number,
                latest=result.hit.latest,
                title=result.hit.title,
                publisher=result.hit.publisher,
                published_at=result.hit.published_at,
                language=result.hit.language,
                snippet=result.snippet,
                score=result.score,
            )
            for result in page.results
        ],
        facets=_facets(page.facets),
        next_cursor=str(page.next_offset) if page.next_offset is not None else None,
        problems=list(page.problems),
        engine=page.engine,
    )


def _facets(facets: Facets) -> FacetsOut:
    def out(counts: list[tuple[str, int]]) -> list[FacetOut]:
        return [FacetOut(value=value, count=count) for value, count in counts]

    return FacetsOut(
        publisher=out(facets.publisher),
        credit=out(facets.credit),
        year=out(facets.year),
        language=out(facets.language),
    )
