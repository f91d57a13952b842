"""The web interface under `/ui/`: server-rendered pages over the same services as the API.

Archived bytes are never shown inline on this origin: pages show the extracted text (escaped) and offer the
bytes as an attachment, with the same headers as the API's content routes.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from archive.api.archiving import archive_received
from archive.api.content import content_response
from archive.api.deps import Context, Uow
from archive.api.paths import (
    MAX_PAGE_SIZE,
    ULID_PATTERN,
    DocumentId,
    FromVersion,
    ToVersion,
    VersionNumber,
)
from archive.api.ui import session as ui_session
from archive.api.ui.forms import UPLOAD_FIELDS, field_text, upload_metadata, url_encoded
from archive.api.ui.pages import PageRoute, page
from archive.api.ui.session import (
    AnyVisitor,
    ArchivistVisitor,
    AuditorVisitor,
    ReaderVisitor,
    check_form,
    check_post,
)
from archive.api.ui.views import evidence_rows, highlight, side_by_side
from archive.api.uploads import ReceivedForm, read_bounded_body, receive_form, received_form
from archive.domain.credits import ROLES
from archive.domain.versions import MAX_VERSION
from archive.errors import ArchiveError, Gone, InvalidInput, NotFound
from archive.metrics import UPLOAD_BYTES
from archive.services import access
from archive.services.documents import BlobInfo
from archive.services.idempotency import Once, fingerprint
from archive.services.keys import Principal
from archive.services.log import receipt_for
from archive.services.metadata import SuppliedMetadata
from archive.services.verify import verify_digest
from archive.wire.diffs import DiffOut
from archive.wire.receipts import ReceiptOut
from archive.wire.verification import VerificationOut
from archive.wire.versions import DocumentOut, VersionOut

MAX_LOGIN_FORM_BYTES = 8 * 1024
_ULID = re.compile(ULID_PATTERN)
router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a path of this interface: never another site (an open redirect)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"


# Logging in and out


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, visitor: AnyVisitor, next: Annotated[str | None, Query(max_length=2048)] = None
) -> HTMLResponse:
    return page(request, "login.html", next=_safe_next(next), problem=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, context: Context, uow: Uow, visitor: AnyVisitor) -> Response:
    check_post(request, context)
    form = url_encoded(await read_bounded_body(request, MAX_LOGIN_FORM_BYTES))
    check_form(request, visitor, form.get("csrf"))
    target = _safe_next(form.get("next"))
    response = _see_other(target)
    try:
        await run_in_threadpool(ui_session.log_in, request, context, uow, form.get("key", ""), response)
    except ArchiveError as exc:
        return page(request, "login.html", status_code=401, next=target, problem=exc.detail)
    return response


@router.post("/logout")
async def logout(request: Request, context: Context, uow: Uow, visitor: AnyVisitor) -> Response:
    check_post(request, context)
    form = url_encoded(await read_bounded_body(request, MAX_LOGIN_FORM_BYTES))
    check_form(request, visitor, form.get("csrf"))
    response = _see_other("/ui/login")
    await run_in_threadpool(ui_session.log_out, request, uow, response)
    return response


# The archive


@router.get("", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/", response_class=HTMLResponse)
def archive_list(
    *,
    request: Request,
    uow: Uow,
    visitor: ReaderVisitor,
    q: Annotated[str | None, Query(max_length=200)] = None,
    credit: Annotated[str | None, Query(max_length=300)] = None,
    role: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(pattern=ULID_PATTERN)] = None,
) -> HTMLResponse:
    q, credit, role = (q or "").strip() or None, (credit or "").strip() or None, role or None
    if role is not None and role not in ROLES:
        raise InvalidInput(f"unknown role {role[:40]!r}: the roles are {', '.join(ROLES)}")
    with uow.reading():
        found = access.listed_documents(
            uow, visitor.viewer, text=q, credit=credit, role=role, cursor=cursor, limit=MAX_PAGE_SIZE // 4
        )
        rows = [DocumentOut.of(view) for view in found.documents]
    search = {"q": q or "", "credit": credit or "", "role": role or ""}
    next_url = None
    if found.next_cursor is not None:
        next_url = "/ui/?" + urlencode(
            {**{k: v for k, v in search.items() if v}, "cursor": found.next_cursor}
        )
    return page(request, "archive.html", documents=rows, search=search, next_url=next_url)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document_id: DocumentId,
    uow: Uow,
    visitor: ReaderVisitor,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> HTMLResponse:
    with uow.reading():
        document = DocumentOut.of(access.document_for(uow, visitor.viewer, document_id))
        versions = [VersionOut.of(v) for v in access.versions_for(uow, visitor.viewer, document_id)]
        shown = _pick(versions, document_id, version)
        text, withheld = _text_or_why(uow, visitor.viewer, document_id, shown.version)
        watched = uow.captures.watch_versions(document_id)  # which versions a watch added
    credits, marks = evidence_rows(shown, text)
    return page(
        request,
        "document.html",
        document=document,
        versions=versions,
        shown=shown,
        watched=watched,
        credits=credits,
        segments=highlight(text, marks) if text is not None else None,
        withheld=withheld,
    )


def _pick(versions: list[VersionOut], document_id: str, number: int | None) -> VersionOut:
    if not versions:
        raise NotFound(f"document {document_id} has no versions", document_id=document_id)
    if number is None:
        return versions[-1]
    for version in versions:
        if version.version == number:
            return version
    raise NotFound(f"document {document_id} has no version {number}", document_id=document_id)


def _text_or_why(uow: Uow, viewer: Principal, document_id: str, number: int) -> tuple[str | None, str | None]:
    """The version's text, or None and why it is not shown when it is withdrawn or purged."""
    try:
        return access.served_text(uow, viewer, document_id, number), None
    except Gone as gone:
        return None, gone.detail
    except NotFound:
        return None, None


@router.get("/documents/{document_id}/diff", response_class=HTMLResponse)
def diff_page(
    *,
    request: Request,
    document_id: DocumentId,
    uow: Uow,
    visitor: ReaderVisitor,
    first: FromVersion,
    second: ToVersion,
) -> HTMLResponse:
    with uow.reading():
        document = DocumentOut.of(access.document_for(uow, visitor.viewer, document_id))
        found = access.served_diff(uow, visitor.viewer, document_id, first, second)
        before = _text_or_why(uow, visitor.viewer, document_id, first)[0]
        after = _text_or_why(uow, visitor.viewer, document_id, second)[0]
        diff = DiffOut.of(found)
    rows = (
        side_by_side(before.splitlines(), after.splitlines())
        if before is not None and after is not None
        else None
    )
    return page(request, "diff.html", document=document, diff=diff, rows=rows)


@router.get("/documents/{document_id}/versions/{number}/download")
def download(
    request: Request,
    document_id: DocumentId,
    number: VersionNumber,
    *,
    context: Context,
    uow: Uow,
    visitor: ReaderVisitor,
) -> Response:
    with uow.reading():
        info = BlobInfo.of_version(access.served_version(uow, visitor.viewer, document_id, number))
    return content_response(request, context.reader, info)


@router.get("/documents/{document_id}/versions/{number}/preview")
def preview(
    request: Request,
    document_id: DocumentId,
    number: VersionNumber,
    *,
    context: Context,
    uow: Uow,
    visitor: ReaderVisitor,
) -> Response:
    with uow.reading():
        info = access.served_preview(uow, visitor.viewer, document_id, number)
    return content_response(request, context.reader, info)


# Upload


@router.get("/upload", response_class=HTMLResponse)
def upload_form(
    request: Request,
    context: Context,
    uow: Uow,
    visitor: ArchivistVisitor,
    document: Annotated[str | None, Query(pattern=ULID_PATTERN)] = None,
) -> HTMLResponse:
    existing = None
    if document is not None:
        with uow.reading():
            existing = DocumentOut.of(access.document_for(uow, visitor.viewer, document))
    return page(
        request,
        "upload.html",
        document=existing,
        form_id=secrets.token_urlsafe(16),
        limit=context.settings.max_upload_bytes,
    )


@router.post("/upload")
async def upload(request: Request, context: Context, uow: Uow, visitor: ArchivistVisitor) -> Response:
    settings = context.settings
    check_post(request, context)
    async with received_form(
        request,
        spool_dir=settings.effective_spool_dir(),
        max_file_bytes=settings.max_upload_bytes,
        max_field_bytes=settings.max_metadata_bytes,
        field_names=UPLOAD_FIELDS,
    ) as form:
        check_form(request, visitor, form.fields.get("csrf"))
        if form.file is None or not form.filename:
            raise InvalidInput("choose a file to archive")
        metadata = upload_metadata(form.fields, settings.max_metadata_bytes)
        document_id = field_text(form.fields, "document_id") or None
        if document_id is not None and not _is_ulid(document_id):
            raise InvalidInput("the form names no valid document")
        principal = visitor.principal
        assert principal is not None
        UPLOAD_BYTES.inc(form.file.digests.size)
        answer = await archive_received(
            uow,
            form,
            metadata=metadata,
            actor=principal.name,
            document_id=document_id,
            once=_form_once(principal, form, document_id, metadata),
        )
    version, outcome = answer.response, "archived" if answer.created else "unchanged"
    return _see_other(
        f"/ui/documents/{version['document_id']}/versions/{version['version']}/receipt?{outcome}"
    )


def _form_once(
    principal: Principal, form: ReceivedForm, document_id: str | None, metadata: SuppliedMetadata
) -> Once | None:
    """The form's one-time id makes a resubmitted form (back, reload) give the first answer again."""
    form_id = field_text(form.fields, "form_id")[:64] or None
    if form_id is None or form.file is None:
        return None
    print_ = fingerprint(
        "POST", "/ui/upload", form.file.digests.blake3, document_id or "", metadata.model_dump_json()
    )
    return Once(principal.name, f"ui-form:{form_id}", print_)


def _is_ulid(value: str) -> bool:
    return _ULID.fullmatch(value) is not None


@router.get("/documents/{document_id}/versions/{number}/receipt", response_class=HTMLResponse)
def receipt_page(
    request: Request,
    document_id: DocumentId,
    number: VersionNumber,
    uow: Uow,
    visitor: ReaderVisitor,
) -> HTMLResponse:
    receipt = _receipt(uow, visitor.viewer, document_id, number)
    with uow.reading():
        version = VersionOut.of(access.version_for(uow, visitor.viewer, document_id, number))
    outcome = "archived" if "archived" in request.query_params else None
    outcome = outcome or ("unchanged" if "unchanged" in request.query_params else None)
    return page(request, "receipt.html", version=version, receipt=receipt, outcome=outcome)


@router.get("/documents/{document_id}/versions/{number}/receipt.json")
def receipt_download(
    request: Request,
    document_id: DocumentId,
    number: VersionNumber,
    uow: Uow,
    visitor: ReaderVisitor,
) -> Response:
    receipt = _receipt(uow, visitor.viewer, document_id, number)
    if receipt is None:
        raise NotFound(f"version {number} of {document_id} has no receipt", document_id=document_id)
    body = json.dumps(receipt, indent=2) + "\n"
    filename = f"{document_id}-v{number}.receipt.json"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _receipt(uow: Uow, viewer: Principal, document_id: str, number: int) -> dict[str, Any] | None:
    """The version's receipt in the API's form (None for a version archived before the log began)."""
    with uow.writing():  # may sign a new checkpoint
        version = access.version_for(uow, viewer, document_id, number)
        try:
            found = receipt_for(uow, version)
        except NotFound:
            return None
    return ReceiptOut.of(found).model_dump(mode="json")


# Verify


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, visitor: AuditorVisitor) -> HTMLResponse:
    return page(request, "verify.html", result=None, filename=None)


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request, context: Context, uow: Uow, visitor: AuditorVisitor) -> HTMLResponse:
    settings = context.settings
    check_post(request, context)
    form = await receive_form(
        request,
        spool_dir=None,
        keep_file=False,
        max_file_bytes=settings.max_upload_bytes,
        max_field_bytes=settings.max_metadata_bytes,
        field_names=frozenset({"csrf"}),
    )
    check_form(request, visitor, form.fields.get("csrf"))
    if form.digests is None or not form.filename:
        raise InvalidInput("choose a file to verify")
    digests = form.digests

    def look_up() -> VerificationOut:
        with uow.reading():
            return VerificationOut.of(verify_digest(uow, uploaded=digests))

    result = await run_in_threadpool(look_up)
    return page(request, "verify.html", result=result, filename=form.filename)
