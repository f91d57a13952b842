"""Blobs by digest, verification of bytes or digests, and a fixity check of one blob now.

The fixity check has a router of its own, `fixity_router`: the app includes it just before the audits'
router, so the OpenAPI document lists the fixity operations together."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from archive.api.blobs.schemas import FixityOut, VerifyByDigest
from archive.api.content import CONTENT_REQUEST_HEADERS, content_response, immutable
from archive.api.deps import Auditor, Context, Reader, Uow
from archive.api.openapi import forbidden_doc, inline_schema, multipart_body, problem_doc, unauthenticated_doc
from archive.api.paths import Blake3
from archive.api.uploads import read_bounded_body, receive_form
from archive.errors import InvalidInput, UnsupportedMediaType
from archive.services import access
from archive.services.replication import check_both_copies
from archive.services.verify import Verification, verify_digest
from archive.wire.verification import VerificationOut

router = APIRouter(tags=["blobs"])
fixity_router = APIRouter(tags=["fixity"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A malformed digest or body."),
    503: problem_doc("The database or storage is unavailable; retry."),
}
_FIXITY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A malformed digest or id."),
    503: problem_doc("The database or storage is unavailable; retry."),
}
_BLOB: dict[int | str, dict[str, Any]] = {
    200: {"content": {"*/*": {}}, "description": "The blob's bytes, as an attachment."},
    206: {"description": "One byte range of the blob."},
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    404: problem_doc("No blob has this digest (or only documents hidden from this caller use it)."),
    410: problem_doc("Every version using the blob is withdrawn (served to admins only), or it was purged."),
    416: problem_doc("The range lies outside the blob."),
    502: problem_doc("The stored bytes failed their fixity check (corrupt or missing): not served."),
}


@router.get(
    "/v1/blobs/{blake3}",
    summary="A blob's bytes by BLAKE3 digest",
    response_class=Response,
    responses={**_ERRORS, **_BLOB},
    openapi_extra=CONTENT_REQUEST_HEADERS,
)
def get_blob(blake3: Blake3, request: Request, context: Context, uow: Uow, viewer: Reader) -> Response:
    with uow.reading():
        info = access.served_blob(uow, viewer, blake3)
    return content_response(request, context.reader, info, cache_control=immutable(context.settings))


@router.head(
    "/v1/blobs/{blake3}",
    summary="A blob's headers by BLAKE3 digest",
    response_class=Response,
    responses={**_ERRORS, **_BLOB},
    openapi_extra=CONTENT_REQUEST_HEADERS,
)
def head_blob(blake3: Blake3, request: Request, context: Context, uow: Uow, viewer: Reader) -> Response:
    with uow.reading():
        info = access.served_blob(uow, viewer, blake3)
    return content_response(
        request, context.reader, info, cache_control=immutable(context.settings), head=True
    )


@router.post(
    "/v1/verify",
    response_model=VerificationOut,
    summary="Is this file (or digest) archived, and where?",
    responses={
        **_ERRORS,
        413: problem_doc("The file is over the upload limit."),
        415: problem_doc("Neither multipart/form-data nor JSON."),
    },
    openapi_extra=multipart_body({}, {"application/json": {"schema": inline_schema(VerifyByDigest)}}),
)
async def verify(request: Request, context: Context, uow: Uow, _: Auditor) -> VerificationOut:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        query = _parse_query(await read_bounded_body(request, 4096))

        def by_digest() -> Verification:
            with uow.reading():
                return verify_digest(uow, blake3=query.blake3, sha256=query.sha256)

        return VerificationOut.of(await run_in_threadpool(by_digest))
    if content_type != "multipart/form-data":
        raise UnsupportedMediaType("send multipart/form-data with a `file`, or JSON with a digest")
    form = await receive_form(
        request,
        spool_dir=None,
        keep_file=False,
        max_file_bytes=context.settings.max_upload_bytes,
        max_field_bytes=0,
        field_names=frozenset(),
    )
    uploaded = form.digests
    if uploaded is None:
        raise InvalidInput("the upload needs a `file` part")

    def by_upload() -> Verification:
        with uow.reading():
            return verify_digest(uow, uploaded=uploaded)

    return VerificationOut.of(await run_in_threadpool(by_upload))


def _parse_query(body: bytes) -> VerifyByDigest:
    try:
        query = VerifyByDigest.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInput.from_field_errors(
            "verify request", exc.errors(include_url=False), "body"
        ) from None
    if (query.blake3 is None) == (query.sha256 is None):
        raise InvalidInput("give exactly one of `blake3` and `sha256`")
    return query


@fixity_router.post(
    "/v1/blobs/{blake3}/fixity",
    response_model=FixityOut,
    summary="Re-read a blob from storage now and re-hash it",
    responses={**_FIXITY_ERRORS, 404: problem_doc("No blob has this digest.")},
)
def check_fixity(blake3: Blake3, uow: Uow, principal: Auditor) -> FixityOut:
    with uow.writing():
        checked = check_both_copies(uow, blake3, actor=principal.name)
    return FixityOut.of(checked.result, replica=checked.replica, repaired=checked.repair)
