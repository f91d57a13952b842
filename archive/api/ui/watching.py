"""The web interface's captures and watches: capture a URL (once, or watched every interval), follow a
capture, and list the watches with their last checks. Included by the app beside the interface's other
pages (`archive.api.ui.routes`), under the same sessions, tokens and headers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from archive.api.content import content_response
from archive.api.deps import Context, Uow
from archive.api.paths import ULID_PATTERN
from archive.api.ui.forms import url_encoded
from archive.api.ui.pages import PageRoute, page
from archive.api.ui.session import ArchivistVisitor, ReaderVisitor, check_form, check_post
from archive.api.uploads import read_bounded_body
from archive.errors import InvalidInput
from archive.services import access
from archive.services.captures import request_capture
from archive.services.watches import create_watch
from archive.wire.captures import CaptureOut, WatchOut

MAX_CAPTURE_FORM_BYTES = 16 * 1024
router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
CaptureId = Annotated[str, Path(pattern=ULID_PATTERN)]


@router.get("/capture", response_class=HTMLResponse)
def capture_form(request: Request, context: Context, visitor: ArchivistVisitor) -> HTMLResponse:
    return page(request, "capture.html", minimum=context.settings.watch_min_interval_seconds)


@router.post("/capture")
async def capture(request: Request, context: Context, uow: Uow, visitor: ArchivistVisitor) -> Response:
    """Capture the URL now, or (with an interval) watch it: the first check is due at once."""
    check_post(request, context)
    form = url_encoded(await read_bounded_body(request, MAX_CAPTURE_FORM_BYTES))
    check_form(request, visitor, form.get("csrf"))
    principal = visitor.principal
    assert principal is not None
    url = form.get("url", "").strip()
    interval = form.get("interval_seconds", "").strip()
    if interval:
        if not interval.isdigit():
            raise InvalidInput("the interval is a whole number of seconds")
        await run_in_threadpool(
            lambda: create_watch(
                uow,
                context.jobs,
                context.fetcher,
                url=url,
                interval_seconds=int(interval),
                minimum=context.settings.watch_min_interval_seconds,
                actor=principal.name,
            )
        )
        return RedirectResponse("/ui/watches", status_code=303)
    made = await run_in_threadpool(
        lambda: request_capture(
            uow,
            context.jobs,
            context.fetcher,
            url=url,
            document_id=None,
            note=form.get("note") or None,
            actor=principal.name,
        )
    )
    return RedirectResponse(f"/ui/captures/{made.id}", status_code=303)


@router.get("/captures/{capture_id}", response_class=HTMLResponse)
def capture_page(request: Request, capture_id: CaptureId, uow: Uow, visitor: ReaderVisitor) -> HTMLResponse:
    with uow.reading():
        shown = CaptureOut.of(access.capture_for(uow, visitor.viewer, capture_id))
    return page(request, "capture_status.html", capture=shown)


@router.get("/captures/{capture_id}/warc")
def capture_warc(
    request: Request, capture_id: CaptureId, context: Context, uow: Uow, visitor: ReaderVisitor
) -> Response:
    """The capture's WARC, as an attachment (the API's content headers)."""
    with uow.reading():
        info = access.served_warc(uow, visitor.viewer, capture_id)
    return content_response(request, context.reader, info)


@router.get("/watches", response_class=HTMLResponse)
def watches_page(request: Request, uow: Uow, visitor: ReaderVisitor) -> HTMLResponse:
    with uow.reading():
        watches = uow.captures.watches(100)
        checks = uow.captures.recent_checks([watch.id for watch in watches])
        shown = [WatchOut.of(watch, checks[watch.id]) for watch in watches]
    return page(request, "watches.html", watches=shown)
