"""Documents and their versions: archive, describe, fetch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse

from archive.api.archiving import archive_corrected, archive_received
from archive.api.content import CONTENT_REQUEST_HEADERS, REVALIDATE, content_response, immutable
from archive.api.deps import Archivist, Context, Reader, Uow
from archive.api.documents.schemas import DocumentPage, VersionList
from archive.api.memento.links import MementoLinks
from archive.api.openapi import forbidden_doc, inline_schema, multipart_body, problem_doc, unauthenticated_doc
from archive.api.paths import MAX_PAGE_SIZE, ULID_PATTERN, DocumentId, FromVersion, ToVersion, VersionNumber
from archive.api.routing import get_and_head
from archive.api.uploads import read_bounded_body, received_form
from archive.domain.credits import CreditRole
from archive.errors import InvalidInput
from archive.extract import media_kind
from archive.metrics import UPLOAD_BYTES
from archive.services import access
from archive.services.documents import BlobInfo
from archive.services.idempotency import Answer, Once, check_key, fingerprint
from archive.services.keys import Principal
from archive.services.metadata import SuppliedMetadata, parse_metadata
from archive.wire.diffs import DiffOut
from archive.wire.versions import DocumentOut, VersionOut, WithheldOut, version_path

router = APIRouter(prefix="/v1/documents", tags=["documents"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A malformed path or body."),
    503: problem_doc("The database or storage is unavailable; retry."),
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: problem_doc("No such document or version (or one hidden from this caller: restricted or embargoed).")
}
_GONE: dict[int | str, dict[str, Any]] = {
    410: problem_doc("The bytes were withdrawn (served to admins only) or purged: the reason and the date.")
}
# The `metadata` part: JSON, whose schema says what is accepted (every bad field is a 422 naming it).
_METADATA_PART = {
    **inline_schema(SuppliedMetadata),
    "description": "JSON: source_url, title, subtitle, publisher, language, published_at, note, credits, "
    "photos.",
}
_FULL: dict[int | str, dict[str, Any]] = {
    507: problem_doc("The disk or quota that holds uploads or blobs is full: nothing was archived.")
}
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"*/*": {}}, "description": "The archived bytes, as an attachment."},
    206: {"description": "One byte range of the archived bytes."},
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    416: problem_doc("The range lies outside the content."),
    502: problem_doc("The stored bytes failed their fixity check (corrupt or missing): not served."),
    **_GONE,
}


@router.post(
    "",
    status_code=201,
    response_model=VersionOut,
    summary="Archive a document",
    responses={
        **_ERRORS,
        200: {"model": VersionOut, "description": "These bytes are already its latest version."},
        409: problem_doc("The `source_url` names a document hidden from the caller (restricted, embargoed)."),
        413: problem_doc("The file or the metadata is over its limit."),
        415: problem_doc("The body is not multipart/form-data."),
        **_FULL,
    },
    openapi_extra=multipart_body({"metadata": _METADATA_PART}, idempotent=True, nonempty_file=True),
)
async def create_document(
    request: Request, response: Response, context: Context, uow: Uow, principal: Archivist
) -> VersionOut:
    return await _archive_upload(
        request, response, context=context, uow=uow, principal=principal, document_id=None
    )


@router.post(
    "/{document_id}/versions",
    status_code=201,
    response_model=VersionOut,
    summary="Add a version: new bytes (multipart), or corrected metadata alone (JSON)",
    responses={
        **_ERRORS,
        **_NOT_FOUND,
        200: {"model": VersionOut, "description": "Nothing changed: the latest version."},
        410: problem_doc("A correction of a document whose latest bytes were purged."),
        413: problem_doc("The file or the metadata is over its limit."),
        415: problem_doc("Neither multipart/form-data nor JSON."),
        **_FULL,
    },
    openapi_extra=multipart_body(
        {"metadata": _METADATA_PART},
        {"application/json": {"schema": inline_schema(SuppliedMetadata)}},
        idempotent=True,
        nonempty_file=True,
    ),
)
async def add_version(
    document_id: DocumentId,
    request: Request,
    response: Response,
    *,
    context: Context,
    uow: Uow,
    principal: Archivist,
) -> VersionOut:
    with uow.reading():  # a document hidden from the caller is not found, to write to as to read
        access.require_visible(uow, principal, document_id)
    if media_kind(request.headers.get("content-type", ""))[0] != "application/json":
        return await _archive_upload(
            request, response, context=context, uow=uow, principal=principal, document_id=document_id
        )
    with uow.reading():  # a correction reuses the latest bytes: they must still exist
        access.require_latest_bytes(uow, document_id)
    limit = context.settings.max_metadata_bytes
    key = _idempotency_key(request)
    body = await read_bounded_body(request, limit)
    correction = parse_metadata(body, limit)
    once = _once(principal, key, request.method, request.url.path, body)
    answer = await archive_corrected(uow, document_id, correction, actor=principal.name, once=once)
    return _answer(response, answer)


async def _archive_upload(
    request: Request,
    response: Response,
    *,
    context: Context,
    uow: Uow,
    principal: Principal,
    document_id: str | None,
) -> VersionOut:
    settings = context.settings
    key = _idempotency_key(request)
    async with received_form(
        request,
        spool_dir=settings.effective_spool_dir(),
        max_file_bytes=settings.max_upload_bytes,
        max_field_bytes=settings.max_metadata_bytes,
    ) as form:
        if form.file is None:
            raise InvalidInput("the upload needs a `file` part")
        UPLOAD_BYTES.inc(form.file.digests.size)
        metadata = parse_metadata(form.fields.get("metadata"), settings.max_metadata_bytes)
        if document_id is None:
            with uow.reading():
                access.require_source_visible(uow, principal, metadata.source_url)
        once = _once(
            principal,
            key,
            request.method,
            request.url.path,
            form.file.digests.blake3,
            form.media_type,
            form.filename or "",
            form.fields.get("metadata", b""),
        )
        answer = await archive_received(
            uow, form, metadata=metadata, actor=principal.name, document_id=document_id, once=once
        )
    return _answer(response, answer)


def _once(principal: Principal, key: str | None, *request: bytes | str) -> Once | None:
    """The request to answer once per `Idempotency-Key`, identified by its method, path and content."""
    return None if key is None else Once(principal.name, key, fingerprint(*request))


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    return check_key(key) if key is not None else None


def _answer(response: Response, answer: Answer) -> VersionOut:
    version = VersionOut.model_validate(answer.response)
    response.headers["Location"] = version_path(version.document_id, version.version)
    if not answer.created:
        response.status_code = 200
    return version


@router.get(
    "",
    response_model=DocumentPage,
    summary="List and search documents, newest first",
    responses=_ERRORS,
)
def search_documents(
    *,
    uow: Uow,
    viewer: Reader,
    credit: Annotated[
        str | None,
        Query(min_length=1, max_length=300, description="A credited name (case and accent insensitive)."),
    ] = None,
    role: Annotated[CreditRole | None, Query(description="Only credits with this role.")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Words of the title.")] = None,
    text: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Words of the title or the text.")
    ] = None,
    source_url: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=ULID_PATTERN, description="`next_cursor` of the previous page.")
    ] = None,
) -> DocumentPage:
    with uow.reading():
        page = access.listed_documents(
            uow,
            viewer,
            credit=credit,
            role=role,
            q=q,
            text=text,
            source_url=source_url,
            cursor=cursor,
            limit=limit,
        )
        return DocumentPage(
            documents=[DocumentOut.of(view) for view in page.documents], next_cursor=page.next_cursor
        )


@router.get(
    "/{document_id}",
    response_model=DocumentOut,
    summary="A document with its latest version",
    responses={**_ERRORS, **_NOT_FOUND},
)
def get_document(document_id: DocumentId, uow: Uow, viewer: Reader) -> DocumentOut:
    with uow.reading():
        document = DocumentOut.of(access.document_for(uow, viewer, document_id))
        _tell_withheld(uow, document_id, [document.latest] if document.latest is not None else [])
        return document


@router.get(
    "/{document_id}/versions",
    response_model=VersionList,
    summary="Every version of a document, oldest first",
    responses={**_ERRORS, **_NOT_FOUND},
)
def list_versions(document_id: DocumentId, uow: Uow, viewer: Reader) -> VersionList:
    with uow.reading():
        versions = [VersionOut.of(v) for v in access.versions_for(uow, viewer, document_id)]
        return VersionList(document_id=document_id, versions=_tell_withheld(uow, document_id, versions))


@router.get(
    "/{document_id}/versions/{number}",
    response_model=VersionOut,
    summary="One version",
    responses={**_ERRORS, **_NOT_FOUND},
)
def get_version(document_id: DocumentId, number: VersionNumber, uow: Uow, viewer: Reader) -> VersionOut:
    with uow.reading():
        version = VersionOut.of(access.version_for(uow, viewer, document_id, number))
        return _tell_withheld(uow, document_id, [version])[0]


def _tell_withheld(uow: Uow, document_id: str, versions: list[VersionOut]) -> list[VersionOut]:
    """Say, on each version, why its bytes are withheld (withdrawn or purged), when they are."""
    standing = access.DocumentStanding.of(uow, document_id)
    for version in versions:
        reason = standing.reason(version.version)
        version.withheld = WithheldOut.of(reason) if reason is not None else None
    return versions


@router.get(
    "/{document_id}/content",
    summary="The bytes of the latest version",
    response_class=Response,
    responses={**_ERRORS, **_NOT_FOUND, **_CONTENT},
    openapi_extra=CONTENT_REQUEST_HEADERS,
)
def get_latest_content(
    document_id: DocumentId, request: Request, context: Context, uow: Uow, viewer: Reader
) -> Response:
    with uow.reading():
        info = BlobInfo.of_version(access.served_latest(uow, viewer, document_id))
    return content_response(request, context.reader, info, cache_control=REVALIDATE)


@get_and_head(
    router,
    "/{document_id}/versions/{number}/content",
    summary="The bytes of one version (a memento of the document's original URL)",
    response_class=Response,
    responses={**_ERRORS, **_NOT_FOUND, **_CONTENT},
    openapi_extra=CONTENT_REQUEST_HEADERS,
)
def get_version_content(
    document_id: DocumentId,
    number: VersionNumber,
    *,
    request: Request,
    context: Context,
    uow: Uow,
    viewer: Reader,
) -> Response:
    with uow.reading():
        info = BlobInfo.of_version(access.served_version(uow, viewer, document_id, number))
        timemap = access.served_time_map(uow, viewer, document_id=document_id)
    memento = next(m for m in timemap.mementos if m.number == number)
    return content_response(
        request,
        context.reader,
        info,
        cache_control=immutable(context.settings),
        head=request.method == "HEAD",
        extra_headers=MementoLinks(request, timemap).memento_headers(memento),
    )


@router.get(
    "/{document_id}/versions/{number}/preview",
    summary="A small JPEG of a photo or a PDF's first page, made by the archive (not the archived bytes)",
    response_class=Response,
    responses={
        **_ERRORS,
        **_NOT_FOUND,
        **_GONE,
        200: {"content": {"image/jpeg": {}}, "description": "The preview, verified as any blob is."},
        304: {"description": "Not modified (If-None-Match)."},
    },
)
def get_version_preview(
    document_id: DocumentId,
    number: VersionNumber,
    *,
    request: Request,
    context: Context,
    uow: Uow,
    viewer: Reader,
) -> Response:
    with uow.reading():
        info = access.served_preview(uow, viewer, document_id, number)
    return content_response(request, context.reader, info)


@router.get(
    "/{document_id}/diff",
    response_model=DiffOut,
    summary="What changed between two versions: text, fields, credits and notices",
    responses={**_ERRORS, **_NOT_FOUND, **_GONE},
)
def diff(
    document_id: DocumentId,
    uow: Uow,
    viewer: Reader,
    first: FromVersion,
    second: ToVersion,
) -> DiffOut:
    with uow.reading():
        return DiffOut.of(access.served_diff(uow, viewer, document_id, first, second))


@router.get(
    "/{document_id}/versions/{number}/text",
    summary="The version's text, which evidence spans index into",
    response_class=PlainTextResponse,
    responses={
        **_ERRORS,
        **_NOT_FOUND,
        **_GONE,
        200: {"content": {"text/plain": {}}, "description": "The text, UTF-8."},
    },
)
def get_version_text(
    document_id: DocumentId, number: VersionNumber, uow: Uow, viewer: Reader
) -> PlainTextResponse:
    with uow.reading():
        text = access.served_text(uow, viewer, document_id, number)
    return PlainTextResponse(
        text,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, max-age=31536000, immutable",
        },
    )
