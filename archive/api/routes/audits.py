"""Fixity for auditors: re-check one blob now, or sweep every blob in an audit that runs in the background."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from archive.api.deps import AppContext, Auditor, Context
from archive.api.routes.blobs import Blake3
from archive.api.routes.documents import ULID_PATTERN
from archive.api.schemas import AuditOut, forbidden_doc, problem_doc, unauthenticated_doc
from archive.digests import Digests
from archive.services.audit import BackgroundSweeps, get_audit_report, start_audit
from archive.services.fixity import FixityResult, check_blob


@asynccontextmanager
async def _background_sweeps(app: FastAPI) -> AsyncIterator[None]:
    """The app's sweep threads: made at start (taking up audits a stopped server left running), asked to
    stop (after their batch) at shutdown."""
    context = app.state.context
    assert isinstance(context, AppContext)
    app.state.audit_sweeps = BackgroundSweeps(context.db, context.store)
    await run_in_threadpool(app.state.audit_sweeps.resume_unfinished)
    yield
    await run_in_threadpool(app.state.audit_sweeps.stop)


def _sweeps(request: Request) -> BackgroundSweeps:
    sweeps = request.app.state.audit_sweeps
    assert isinstance(sweeps, BackgroundSweeps)
    return sweeps


router = APIRouter(tags=["fixity"], lifespan=_background_sweeps)

AuditId = Annotated[str, Path(pattern=ULID_PATTERN, description="The audit's ULID.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    422: problem_doc("A malformed digest or id."),
    503: problem_doc("The database or storage is unavailable; retry."),
}


class DigestsOut(BaseModel):
    blake3: str
    sha256: str
    size: int

    @classmethod
    def of(cls, digests: Digests) -> DigestsOut:
        return cls(blake3=digests.blake3, sha256=digests.sha256, size=digests.size)


class FixityOut(BaseModel):
    blake3: str
    status: str = Field(description="ok, corrupt (other bytes are stored) or missing (nothing is).")
    expected: DigestsOut
    found: DigestsOut | None = Field(description="What storage holds now; null when the blob is missing.")
    checked_at: datetime
    checked_by: str
    log_index: int | None = Field(description="The log leaf that recorded a failure; null when ok.")

    @classmethod
    def of(cls, result: FixityResult) -> FixityOut:
        return cls(
            blake3=result.blake3,
            status=result.status,
            expected=DigestsOut.of(result.expected),
            found=DigestsOut.of(result.found) if result.found is not None else None,
            checked_at=result.checked_at,
            checked_by=result.checked_by,
            log_index=result.log_index,
        )


class AuditStartedOut(BaseModel):
    id: str
    status: str
    total: int
    url: str


@router.post(
    "/v1/blobs/{blake3}/fixity",
    response_model=FixityOut,
    summary="Re-read a blob from storage now and re-hash it",
    responses={**_ERRORS, 404: problem_doc("No blob has this digest.")},
)
def check_fixity(blake3: Blake3, context: Context, principal: Auditor) -> FixityOut:
    with context.db.unit_of_work() as session:
        result = check_blob(session, context.store, blake3, actor=principal.name)
    return FixityOut.of(result)


@router.post(
    "/v1/audits",
    status_code=202,
    response_model=AuditStartedOut,
    summary="Start a fixity sweep over every blob; it runs in the background",
    responses=_ERRORS,
)
def start_sweep(
    request: Request, response: Response, context: Context, principal: Auditor
) -> AuditStartedOut:
    with context.db.unit_of_work() as session:
        audit = start_audit(session, principal.name)
    if audit.status == "running":  # started only once its items are committed, for the threads to lease
        _sweeps(request).start(audit.id, principal.name)
    url = f"/v1/audits/{audit.id}"
    response.headers["Location"] = url
    return AuditStartedOut(id=audit.id, status=audit.status, total=audit.total, url=url)


@router.get(
    "/v1/audits/{audit_id}",
    response_model=AuditOut,
    summary="An audit's progress, counts per status, and failures",
    responses={**_ERRORS, 404: problem_doc("No audit has this id.")},
)
def get_audit(audit_id: AuditId, context: Context, _: Auditor) -> AuditOut:
    with context.db.reading() as session:
        report = get_audit_report(session, audit_id)
    return AuditOut.of(report)
