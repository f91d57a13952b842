"""The web interface's search page: full-text search over the same service as `GET /v1/search`, with
snippets and facets to narrow by. Included by the app beside the interface's other pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from archive.api.deps import Context, Uow
from archive.api.search.schemas import LANGUAGE_PATTERN, MAX_QUERY_CHARS
from archive.api.ui.pages import PageRoute, page
from archive.api.ui.session import ReaderVisitor
from archive.domain.credits import ROLES
from archive.errors import InvalidInput
from archive.names import normalize_name
from archive.search.model import SearchFilters
from archive.services.access import search_for
from archive.services.search import SearchPage, SearchRequest

PAGE_SIZE = 20
router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
_LANGUAGE = re.compile(LANGUAGE_PATTERN)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    *,
    request: Request,
    context: Context,
    uow: Uow,
    visitor: ReaderVisitor,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    credit: Annotated[str | None, Query(max_length=300)] = None,
    role: Annotated[str | None, Query(max_length=40)] = None,
    publisher: Annotated[str | None, Query(max_length=500)] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    year: Annotated[int | None, Query(ge=1, le=9998)] = None,
    all_versions: Annotated[bool, Query()] = False,
    cursor: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    chosen = {
        "q": (q or "").strip(),
        "credit": (credit or "").strip(),
        "role": role or "",
        "publisher": publisher or "",
        "language": (language or "").strip(),
        "year": str(year or ""),
        "all_versions": "true" if all_versions else "",
    }
    filters = _filters(chosen, year)
    request_ = SearchRequest(q=chosen["q"] or None, filters=filters, limit=PAGE_SIZE, offset=cursor)
    with uow.reading():
        found = search_for(uow, visitor.viewer, request_, candidates=context.settings.search_candidates)
    return page(
        request,
        "search.html",
        found=found,
        chosen=chosen,
        snippets=[Markup(result.snippet) for result in found.results],  # noqa: S704  (escaped, then marked)
        facet_links=_facet_links(found, chosen),
        next_url=_link(chosen, cursor=str(found.next_offset)) if found.next_offset is not None else None,
    )


def _filters(chosen: dict[str, str], year: int | None) -> SearchFilters:
    role, language = chosen["role"] or None, chosen["language"] or None
    if role is not None and role not in ROLES:
        raise InvalidInput(f"unknown role {role[:40]!r}: the roles are {', '.join(ROLES)}")
    if language is not None and not _LANGUAGE.fullmatch(language):
        raise InvalidInput("a language is a BCP 47 tag, such as en or de-AT")
    return SearchFilters(
        credit=normalize_name(chosen["credit"]) if chosen["credit"] else None,
        role=role,
        publisher=chosen["publisher"] or None,
        language=language,
        published_from=datetime.combine(date(year, 1, 1), time.min, tzinfo=UTC) if year else None,
        published_before=datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=UTC) if year else None,
        all_versions=chosen["all_versions"] == "true",
    )


def _link(chosen: dict[str, str], **changed: str) -> str:
    values = {name: value for name, value in (chosen | changed).items() if value}
    return "/ui/search?" + urlencode(values)


def _facet_links(found: SearchPage, chosen: dict[str, str]) -> dict[str, list[tuple[str, int, str]]]:
    """Per facet, (value, count, the link that narrows the search to it)."""
    facets = found.facets
    named = {
        "publisher": facets.publisher,
        "credit": facets.credit,
        "year": facets.year,
        "language": facets.language,
    }
    return {
        name: [(value, count, _link(chosen, **{name: value})) for value, count in counts]
        for name, counts in named.items()
    }
