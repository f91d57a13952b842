"""A document as a BagIt (RFC 8493) bag or an OCFL 1.1 object in a zip: every version's bytes, its JSON and
its log receipt."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from archive.api.deps import Context, Reader, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import DocumentId
from archive.services.export import ExportFormat, export_to_spool
from archive.wire.bag import WIRE_RENDERING

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_SUFFIX = {"bagit": ".zip", "ocfl": ".ocfl.zip"}

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        "description": "A zip of one folder `<id>/`: a BagIt bag with `data/versions/<n>/` per version, "
        "or (`format=ocfl`) an OCFL 1.1 object with a version directory `v<n>/` per version.",
    },
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    404: problem_doc("No such document."),
    422: problem_doc("A malformed document id, or a format other than bagit and ocfl."),
    502: problem_doc("Bytes of a version are missing from storage or no longer match their digests."),
    503: problem_doc("The database or storage is unavailable; retry."),
}


@router.get(
    "/{document_id}/export",
    response_class=StreamingResponse,
    summary="The document as a BagIt bag or an OCFL object (zip): each version's bytes, metadata and receipt",
    responses=_RESPONSES,
)
def export_document(
    document_id: DocumentId,
    context: Context,
    uow: Uow,
    _: Reader,
    form: Annotated[
        ExportFormat, Query(alias="format", description="`bagit` (BagIt 1.0) or `ocfl` (OCFL 1.1).")
    ] = "bagit",
) -> StreamingResponse:
    with ExitStack() as on_failure:
        with uow.reading():
            exported = export_to_spool(
                uow,
                document_id,
                rendering=WIRE_RENDERING,
                work_dir=context.settings.effective_spool_dir(),
                form=form,
            )
            on_failure.callback(exported.close)  # the commit may still fail
        on_failure.pop_all()
    headers = {
        "Content-Disposition": f'attachment; filename="{exported.summary.document_id}{_SUFFIX[form]}"',
        "Content-Length": str(exported.summary.zip_size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    # The spool is an anonymous file, so closing it is all the cleaning there is: the generator closes it
    # after the last chunk, or when it is dropped because the client went away; the task is a backstop.
    return StreamingResponse(
        exported.chunks(),
        media_type="application/zip",
        headers=headers,
        background=BackgroundTask(exported.close),
    )
