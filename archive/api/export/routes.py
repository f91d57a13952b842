"""A document as a BagIt (RFC 8493) bag or an OCFL 1.1 object in a zip (every version's bytes, its JSON and
its log receipt), or as a WACZ of its captures."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from archive.api.deps import Context, Reader, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import DocumentId
from archive.services.access import require_exportable
from archive.services.export import SpooledExport, export_to_spool
from archive.services.wacz_export import WACZ_MEDIA_TYPE, export_wacz_to_spool
from archive.wire.bag import WIRE_RENDERING

router = APIRouter(prefix="/v1/documents", tags=["documents"])
# Each format: the file name's suffix and the media type it is served as.
_FORMATS = {
    "bagit": (".zip", "application/zip"),
    "ocfl": (".ocfl.zip", "application/zip"),
    "wacz": (".wacz", WACZ_MEDIA_TYPE),
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/zip": _BINARY, WACZ_MEDIA_TYPE: _BINARY},
        "description": "`format=bagit` (the default): a zip of one folder `<id>/`, a BagIt bag with "
        "`data/versions/<n>/` per version. `format=ocfl`: an OCFL 1.1 object with a version directory "
        "`v<n>/` per version. `format=wacz`: a WACZ of every captured version's WARC.",
    },
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    404: problem_doc(
        "No such document (or, for a WACZ, no captured version of it), or one hidden from this caller."
    ),
    410: problem_doc("A version's bytes are withdrawn (served to admins only) or purged."),
    422: problem_doc("A malformed document id, or a format other than bagit, ocfl and wacz."),
    502: problem_doc("Bytes of a version are missing from storage or no longer match their digests."),
    503: problem_doc("The database or storage is unavailable; retry."),
}


@router.get(
    "/{document_id}/export",
    response_class=StreamingResponse,
    summary="The document as a BagIt bag or an OCFL object (zip) of every version, or a WACZ of its captures",
    responses=_RESPONSES,
)
def export_document(
    document_id: DocumentId,
    context: Context,
    uow: Uow,
    viewer: Reader,
    form: Annotated[
        Literal["bagit", "ocfl", "wacz"],
        Query(alias="format", description="`bagit` (BagIt 1.0), `ocfl` (OCFL 1.1) or `wacz`."),
    ] = "bagit",
) -> StreamingResponse:
    work_dir = context.settings.effective_spool_dir()
    with ExitStack() as on_failure:
        with uow.reading():
            require_exportable(uow, viewer, document_id)
            exported: SpooledExport
            if form == "wacz":
                exported = export_wacz_to_spool(uow, document_id, work_dir=work_dir)
            else:
                exported = export_to_spool(
                    uow, document_id, rendering=WIRE_RENDERING, work_dir=work_dir, form=form
                )
            on_failure.callback(exported.close)  # the commit may still fail
        on_failure.pop_all()
    suffix, media_type = _FORMATS[form]
    headers = {
        "Content-Disposition": f'attachment; filename="{exported.summary.document_id}{suffix}"',
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
