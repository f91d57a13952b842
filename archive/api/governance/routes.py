"""What an admin decides about a document: withdraw it (or a version) and reverse that, purge its bytes,
place and release a legal hold, restrict or embargo it, grant keys access; and the record of all of it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from archive.api.deps import Admin, Uow
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import DocumentId
from archive.domain.versions import MAX_VERSION
from archive.services import governance
from archive.wire.governance import (
    AccessIn,
    GovernanceOut,
    HoldIn,
    PurgeIn,
    PurgeOut,
    WithdrawalIn,
    WithdrawalOut,
)

router = APIRouter(prefix="/v1/documents/{document_id}", tags=["governance"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("A body that cannot be parsed (not UTF-8 JSON)."),
    401: unauthenticated_doc(),
    403: forbidden_doc(),
    404: problem_doc("No such document or version."),
    422: problem_doc("A malformed id or body (a reason is required)."),
    503: problem_doc("The database is unavailable; retry."),
}
_CONFLICT: dict[int | str, dict[str, Any]] = {409: problem_doc("Already so (or, for a purge, held).")}
KeyName = Annotated[str, Path(min_length=1, max_length=100, description="The name of an API key.")]
ReasonQuery = Annotated[str, Query(min_length=1, max_length=2000, description="Why, as a sentence.")]


def _view(uow: Uow, document_id: str) -> GovernanceOut:
    view = governance.describe(uow, document_id)
    return GovernanceOut.of(view.document_id, view.policy, view.grants, view.withdrawals, view.purges)


@router.get(
    "/governance",
    response_model=GovernanceOut,
    summary="Who may see the document, its legal hold, and every withdrawal and purge of it",
    responses=_ERRORS,
)
def get_governance(document_id: DocumentId, uow: Uow, _: Admin) -> GovernanceOut:
    with uow.reading():
        return _view(uow, document_id)


@router.post(
    "/withdrawal",
    status_code=201,
    response_model=WithdrawalOut,
    summary="Withdraw (take down) the document or one version: its bytes are gone (410) below admin",
    responses={**_ERRORS, **_CONFLICT},
)
def post_withdrawal(document_id: DocumentId, body: WithdrawalIn, uow: Uow, principal: Admin) -> WithdrawalOut:
    with uow.writing():
        row = governance.withdraw(
            uow, document_id, version=body.version, reason=body.reason, actor=principal.name
        )
        return WithdrawalOut.of(row)


@router.delete(
    "/withdrawal",
    response_model=WithdrawalOut,
    summary="Reverse the withdrawal of the document (or of one version): its bytes are served again",
    responses=_ERRORS,
)
def delete_withdrawal(
    document_id: DocumentId,
    uow: Uow,
    principal: Admin,
    reason: ReasonQuery,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> WithdrawalOut:
    with uow.writing():
        row = governance.reverse_withdrawal(
            uow, document_id, version=version, reason=reason, actor=principal.name
        )
        return WithdrawalOut.of(row)


@router.post(
    "/purge",
    response_model=PurgeOut,
    summary="Remove the bytes of the document (or one version) from storage for good; `confirm` repeats "
    "the id",
    responses={**_ERRORS, 409: problem_doc("The document is under a legal hold, or already purged.")},
)
def post_purge(document_id: DocumentId, body: PurgeIn, uow: Uow, principal: Admin) -> PurgeOut:
    with uow.writing():
        outcome = governance.purge(
            uow,
            document_id,
            version=body.version,
            reason=body.reason,
            confirm=body.confirm,
            actor=principal.name,
        )
        answer = PurgeOut.of(outcome.purge)
    governance.remove_bytes(uow, outcome.removed)  # once the tombstones are committed
    return answer


@router.put(
    "/hold",
    response_model=GovernanceOut,
    summary="Place a legal hold: the document cannot be purged and its blobs are never collected",
    responses={**_ERRORS, **_CONFLICT},
)
def put_hold(document_id: DocumentId, body: HoldIn, uow: Uow, principal: Admin) -> GovernanceOut:
    with uow.writing():
        governance.set_hold(uow, document_id, placed=True, reason=body.reason, actor=principal.name)
        return _view(uow, document_id)


@router.delete(
    "/hold",
    response_model=GovernanceOut,
    summary="Release the document's legal hold",
    responses={**_ERRORS, **_CONFLICT},
)
def delete_hold(document_id: DocumentId, uow: Uow, principal: Admin, reason: ReasonQuery) -> GovernanceOut:
    with uow.writing():
        governance.set_hold(uow, document_id, placed=False, reason=reason, actor=principal.name)
        return _view(uow, document_id)


@router.put(
    "/access",
    response_model=GovernanceOut,
    summary="Restrict the document to granted keys, and embargo it until a time (or lift either)",
    responses=_ERRORS,
)
def put_access(document_id: DocumentId, body: AccessIn, uow: Uow, principal: Admin) -> GovernanceOut:
    with uow.writing():
        governance.set_access(
            uow,
            document_id,
            restricted=body.restricted,
            embargoed_until=body.embargoed_until,
            actor=principal.name,
        )
        return _view(uow, document_id)


@router.put(
    "/grants/{key_name}",
    response_model=GovernanceOut,
    summary="Let a key see the document while it is restricted",
    responses=_ERRORS,
)
def put_grant(document_id: DocumentId, key_name: KeyName, uow: Uow, principal: Admin) -> GovernanceOut:
    with uow.writing():
        governance.set_grant(uow, document_id, key_name, granted=True, actor=principal.name)
        return _view(uow, document_id)


@router.delete(
    "/grants/{key_name}",
    response_model=GovernanceOut,
    summary="Take back a key's access to the restricted document",
    responses=_ERRORS,
)
def delete_grant(document_id: DocumentId, key_name: KeyName, uow: Uow, principal: Admin) -> GovernanceOut:
    with uow.writing():
        governance.set_grant(uow, document_id, key_name, granted=False, actor=principal.name)
        return _view(uow, document_id)
