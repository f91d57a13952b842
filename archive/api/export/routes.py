"""A document as a BagIt (RFC 8493) bag in a zip: every version's bytes, its JSON and its log receipt."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from archive.api.deps import Context, Reader, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import DocumentId
from archive.services.export import SpooledExport, export_to_spool
from archive.services.wacz_export import WACZ_MEDIA_TYPE, export_wacz_to_spool
from archive.wire.bag import WIRE_RENDERING

router = APIRouter(prefix="/v1/documents", tags=["documents"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            WACZ_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "`format=bagit` (the default): a zip of one folder `<id>/`, a BagIt bag with "
        "`data/versions/<n>/` per version. `format=wacz`: a WACZ of every captured version's WARC.",
    },
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    404: problem_doc("No such document (or, for a WACZ, no captured version of it)."),
    422: problem_doc("A malformed document id."),
    502: problem_doc("Bytes of a version are missing from storage or no longer match their digests."),
    503: problem_doc("The database or storage is unavailable; retry."),
}


@router.get(
    "/{document_id}/export",
    response_class=StreamingResponse,
    summary="The document as a BagIt bag (zip) of every version, or a WACZ of its captures",
    responses=_RESPONSES,
)
def export_document(
    document_id: DocumentId,
    context: Context,
    uow: Uow,
    _: Reader,
    format: Annotated[Literal["bagit", "wacz"], Query(description="bagit (default) or wacz")] = "bagit",
) -> StreamingResponse:
    work_dir = context.settings.effective_spool_dir()
    with ExitStack() as on_failure:
        with uow.reading():
            exported: SpooledExport
            if format == "wacz":
                exported = export_wacz_to_spool(uow, document_id, work_dir=work_dir)
            else:
                exported = export_to_spool(uow, document_id, rendering=WIRE_RENDERING, work_dir=work_dir)
            on_failure.callback(exported.close)  # the commit may still fail
        on_failure.pop_all()
    suffix, media_type = ("wacz", WACZ_MEDIA_TYPE) if format == "wacz" else ("zip", "application/zip")
    headers = {
        "Content-Disposition": f'attachment; filename="{exported.summary.document_id}.{suffix}"',
        "Content-Length": str(exported.summary.zip_size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    # The spool is an anonymous file, so closing it is all the cleaning there is: the generator closes it
    # after the last chunk, or when it is dropped because the client went away; the task is a backstop.
    return StreamingResponse(
        exported.chunks(),
        media_type=media_type,
        headers=headers,
        background=BackgroundTask(exported.close),
    )
