"""Capture by URL: archivists ask for a page once; a job fetches and archives it; readers follow it and
fetch its WARC."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from archive.api.content import content_response
from archive.api.deps import Archivist, Context, Reader, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import ULID_PATTERN
from archive.services import access
from archive.services.captures import request_capture
from archive.wire.captures import CaptureIn, CaptureOut

router = APIRouter(tags=["captures"])

CaptureId = Annotated[str, Path(pattern=ULID_PATTERN, description="The capture's ULID.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("A body that cannot be parsed (not UTF-8 JSON)."),
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A malformed body or id, or a URL the archive will not fetch (the reason in detail)."),
    503: problem_doc("The database or storage is unavailable; retry."),
}


@router.post(
    "/v1/captures",
    status_code=202,
    response_model=CaptureOut,
    summary="Capture a page by URL: fetched and archived as a version by a job",
    responses={**_ERRORS, 404: problem_doc("No document has the document_id given.")},
)
def post_capture(
    body: CaptureIn, response: Response, context: Context, uow: Uow, principal: Archivist
) -> CaptureOut:
    capture = request_capture(
        uow,
        context.jobs,
        context.fetcher,
        url=body.url,
        document_id=body.document_id,
        note=body.note,
        actor=principal.name,
    )
    response.headers["Location"] = f"/v1/captures/{capture.id}"
    return CaptureOut.of(capture)


@router.get(
    "/v1/captures/{capture_id}",
    response_model=CaptureOut,
    summary="A capture: its status, error, the version it made and its WARC",
    responses={**_ERRORS, 404: problem_doc("No capture has this id.")},
)
def get_capture_status(capture_id: CaptureId, uow: Uow, viewer: Reader) -> CaptureOut:
    with uow.reading():
        return CaptureOut.of(access.capture_for(uow, viewer, capture_id))


@router.get(
    "/v1/captures/{capture_id}/warc",
    response_class=Response,
    summary="A capture's WARC (uncompressed, application/warc): its requests, responses and metadata",
    responses={
        **_ERRORS,
        200: {"content": {"application/warc": {}}, "description": "The WARC, as an attachment."},
        404: problem_doc("No capture has this id, or it kept no WARC (not done)."),
        410: problem_doc("The version the capture made is withdrawn (served to admins only) or purged."),
        502: problem_doc("The stored WARC failed its fixity check: not served."),
    },
)
def get_capture_warc(
    capture_id: CaptureId, request: Request, context: Context, uow: Uow, viewer: Reader
) -> Response:
    with uow.reading():
        info = access.served_warc(uow, viewer, capture_id)
    return content_response(request, context.reader, info)
