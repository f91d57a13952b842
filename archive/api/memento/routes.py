"""Memento (RFC 7089): TimeMaps and TimeGates by document id, and by original URL as web archives offer."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Path, Request, Response

from archive.api.deps import Reader, Uow
from archive.api.memento.links import HTTP_DATE_PATTERN, LINK_FORMAT, MementoLinks, parse_accept_datetime
from archive.api.openapi import problem_doc, request_headers, unauthenticated_doc
from archive.api.paths import DocumentId
from archive.api.routing import get_and_head
from archive.services.access import served_time_map, served_version_at
from archive.services.keys import Principal

router = APIRouter(tags=["memento"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("Accept-Datetime is not an HTTP date."),
    401: unauthenticated_doc(),
    404: problem_doc("No document has this id or original URL (or it is hidden from this caller)."),
    410: problem_doc("Every version of the document is withdrawn or purged."),
    422: problem_doc("A malformed id."),
    503: problem_doc("The database is unavailable; retry."),
}
_TIMEMAP: dict[int | str, dict[str, Any]] = {
    200: {"content": {LINK_FORMAT: {}}, "description": "The TimeMap, in link format."}
}
_TIMEGATE: dict[int | str, dict[str, Any]] = {
    302: {"description": "A redirect to the memento that stood at Accept-Datetime."}
}
_ACCEPT_DATETIME = request_headers(
    {
        "Accept-Datetime": "An HTTP date (RFC 1123), e.g. `Tue, 04 Feb 2025 10:00:00 GMT`; absent: now. "
        "One that does not parse, or names no real day, is a 400."
    },
    patterns={"Accept-Datetime": HTTP_DATE_PATTERN},
    formats={"Accept-Datetime": "http-date"},
)
OriginalUrl = Annotated[
    str,
    Path(
        max_length=2048,
        description="The original URL, appended as it is (slashes and all).",
        examples=["https://example.org/news/2025/an-article"],
    ),
]


def _original(uri_r: str, request: Request) -> str:
    """The URI-R as the client appended it: a query string belongs to it, not to this request. Its
    percent-escapes are decoded as the path's are (the archive's own links encode "," and ";"), so that
    it is compared with the original URL as it was stored."""
    query = unquote(request.url.query)
    return f"{uri_r}?{query}" if query else uri_r


def _timemap_response(request: Request, uow: Uow, viewer: Principal, **where: str) -> Response:
    with uow.reading():
        links = MementoLinks(request, served_time_map(uow, viewer, **where))
        return Response(links.timemap_body(), media_type=LINK_FORMAT)


def _timegate_response(request: Request, uow: Uow, viewer: Principal, **where: str) -> Response:
    when = parse_accept_datetime(request.headers.get("accept-datetime"))
    with uow.reading():
        timemap, memento = served_version_at(uow, viewer, when, **where)
        return Response(status_code=302, headers=MementoLinks(request, timemap).timegate_headers(memento))


@router.get(
    "/v1/documents/{document_id}/timemap",
    summary="The document's TimeMap",
    response_class=Response,
    responses={**_ERRORS, **_TIMEMAP},
)
def document_timemap(document_id: DocumentId, request: Request, uow: Uow, viewer: Reader) -> Response:
    return _timemap_response(request, uow, viewer, document_id=document_id)


@get_and_head(
    router,
    "/v1/documents/{document_id}/timegate",
    summary="The document's TimeGate",
    response_class=Response,
    status_code=302,
    responses={**_ERRORS, **_TIMEGATE},
    openapi_extra=_ACCEPT_DATETIME,
)
def document_timegate(document_id: DocumentId, request: Request, uow: Uow, viewer: Reader) -> Response:
    return _timegate_response(request, uow, viewer, document_id=document_id)


@router.get(
    "/memento/timemap/link/{uri_r:path}",
    summary="The TimeMap of an original URL",
    response_class=Response,
    responses={**_ERRORS, **_TIMEMAP},
)
def timemap_by_url(uri_r: OriginalUrl, request: Request, uow: Uow, viewer: Reader) -> Response:
    return _timemap_response(request, uow, viewer, original=_original(uri_r, request))


@get_and_head(
    router,
    "/memento/timegate/{uri_r:path}",
    summary="The TimeGate of an original URL",
    response_class=Response,
    status_code=302,
    responses={**_ERRORS, **_TIMEGATE},
    openapi_extra=_ACCEPT_DATETIME,
)
def timegate_by_url(uri_r: OriginalUrl, request: Request, uow: Uow, viewer: Reader) -> Response:
    return _timegate_response(request, uow, viewer, original=_original(uri_r, request))
