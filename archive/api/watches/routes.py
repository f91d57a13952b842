"""Watches: archivists name a page and an interval; jobs look at it again and again, adding a version
only when it changed, and every look is recorded."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from archive.api.deps import Archivist, Context, Reader, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import MAX_PAGE_SIZE, ULID_PATTERN
from archive.services.watches import create_watch, delete_watch, get_watch
from archive.wire.captures import WatchIn, WatchList, WatchOut

router = APIRouter(tags=["watches"])

WatchId = Annotated[str, Path(pattern=ULID_PATTERN, description="The watch's ULID.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("A body that cannot be parsed (not UTF-8 JSON)."),
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc(
        "A malformed body or id, an interval under the minimum, or a URL the archive will not fetch."
    ),
    503: problem_doc("The database is unavailable; retry."),
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_doc("No watch has this id (or it was deleted).")}


@router.post(
    "/v1/watches",
    status_code=201,
    response_model=WatchOut,
    summary="Watch a page: look at it every interval, a new version only when what it says changed",
    responses=_ERRORS,
)
def post_watch(
    body: WatchIn, response: Response, context: Context, uow: Uow, principal: Archivist
) -> WatchOut:
    watch = create_watch(
        uow,
        context.jobs,
        context.fetcher,
        url=body.url,
        interval_seconds=body.interval_seconds,
        minimum=context.settings.watch_min_interval_seconds,
        actor=principal.name,
    )
    response.headers["Location"] = f"/v1/watches/{watch.id}"
    return WatchOut.of(watch, [])


@router.get(
    "/v1/watches", response_model=WatchList, summary="Every watch, with its latest checks", responses=_ERRORS
)
def list_watches(
    uow: Uow,
    _: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(pattern=ULID_PATTERN)] = None,
) -> WatchList:
    with uow.reading():
        watches = uow.captures.watches(limit, cursor)
        checks = uow.captures.recent_checks([watch.id for watch in watches])
        listed = [WatchOut.of(watch, checks[watch.id]) for watch in watches]
    return WatchList(watches=listed, next_cursor=listed[-1].id if len(listed) == limit else None)


@router.get(
    "/v1/watches/{watch_id}",
    response_model=WatchOut,
    summary="A watch and its latest checks",
    responses={**_ERRORS, **_NOT_FOUND},
)
def get_one_watch(watch_id: WatchId, uow: Uow, _: Reader) -> WatchOut:
    with uow.reading():
        watch = get_watch(uow, watch_id)
        return WatchOut.of(watch, uow.captures.recent_checks([watch.id])[watch.id])


@router.delete(
    "/v1/watches/{watch_id}",
    status_code=204,
    response_class=Response,
    summary="Stop watching (its checks and versions stay)",
    responses={**_ERRORS, **_NOT_FOUND},
)
def remove_watch(watch_id: WatchId, uow: Uow, _: Archivist) -> Response:
    with uow.writing():
        delete_watch(uow, watch_id)
    return Response(status_code=204)
