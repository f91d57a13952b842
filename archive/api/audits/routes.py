"""Fixity audits for auditors: sweep every blob in an audit that runs as a job in the background."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from archive.api.audits.schemas import AuditStartedOut
from archive.api.deps import Auditor, Context, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import ULID_PATTERN
from archive.jobs.tasks import queue_audit
from archive.services.audit import get_audit_report, start_audit
from archive.wire.audits import AuditOut

router = APIRouter(tags=["fixity"])

AuditId = Annotated[str, Path(pattern=ULID_PATTERN, description="The audit's ULID.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A malformed digest or id."),
    503: problem_doc("The database or storage is unavailable; retry."),
}


@router.post(
    "/v1/audits",
    status_code=202,
    response_model=AuditStartedOut,
    summary="Start a fixity sweep over every blob; it runs in the background",
    responses=_ERRORS,
)
def start_sweep(response: Response, context: Context, uow: Uow, principal: Auditor) -> AuditStartedOut:
    with uow.writing():
        audit = start_audit(uow, principal.name)
        if audit.status == "running":  # its job queued with its items, in one transaction
            queue_audit(uow, context.jobs, audit.id, principal.name)
    url = f"/v1/audits/{audit.id}"
    response.headers["Location"] = url
    return AuditStartedOut(id=audit.id, status=audit.status, total=audit.total, url=url)


@router.get(
    "/v1/audits/{audit_id}",
    response_model=AuditOut,
    summary="An audit's progress, counts per status, and failures",
    responses={**_ERRORS, 404: problem_doc("No audit has this id.")},
)
def get_audit(audit_id: AuditId, uow: Uow, _: Auditor) -> AuditOut:
    with uow.reading():
        report = get_audit_report(uow, audit_id)
    return AuditOut.of(report)
