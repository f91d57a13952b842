"""The verifiable log: signed checkpoints, entries, RFC 9162 proofs, and receipts of versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from archive.api.deps import Auditor, Context, LogReader, Reader, Uow
from archive.api.log.schemas import AttestorsOut, ConsistencyOut, EntryOut, SigningKeysOut
from archive.api.openapi import forbidden_doc, problem_doc, unauthenticated_doc
from archive.api.paths import DocumentId, VersionNumber
from archive.services import access
from archive.services import log as ledger
from archive.services.publishing import attestor_states
from archive.services.signing_keys import key_history
from archive.wire.receipts import InclusionOut, ReceiptOut, b64

router = APIRouter(tags=["log"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    404: problem_doc(
        "No such entry, tree size or version; no such proof (a leaf index at or past the tree size, a "
        "consistency proof from a larger tree)."
    ),
    422: problem_doc("A malformed request (a size below 1, a negative index …)."),
    503: problem_doc("The database is unavailable; retry."),
}
_TEXT: dict[int | str, dict[str, Any]] = {200: {"content": {"text/plain": {}}, "description": "Text."}}
Size = Annotated[int, Query(ge=1, le=2**62)]


@router.get(
    "/v1/log/checkpoint",
    summary="The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)",
    response_class=PlainTextResponse,
    responses={**_ERRORS, **_TEXT},
)
def checkpoint(uow: Uow, _: LogReader) -> PlainTextResponse:
    with uow.writing():
        note = ledger.served_checkpoint(uow)
    return PlainTextResponse(note, headers={"Cache-Control": "no-cache"})


_KEYS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/plain": {"schema": {"type": "string"}}},
        "description": "The key that signs now, in C2SP vkey form (`text/plain`, the default); or, asked "
        "for `application/json`, every key the log has had with the tree sizes each signed.",
    }
}


@router.get(
    "/v1/log/key",
    summary="The verifier key of the log, in C2SP vkey form; every key it has had, as JSON",
    response_model=SigningKeysOut,
    responses={**_ERRORS, **_KEYS},
)
def verifier_key(request: Request, context: Context, uow: Uow, _: LogReader) -> Response:
    with uow.reading():
        keys = SigningKeysOut.of(context.log.origin, key_history(uow))
    if _wants_json(request.headers.get("accept", "")):
        return JSONResponse(keys.model_dump(mode="json"))
    return PlainTextResponse(keys.current + "\n")


def _wants_json(accept: str) -> bool:
    """JSON when the client names it before (or without) plain text: clients of the one-line form, which
    ask for nothing in particular, keep getting it."""
    accept = accept.lower()
    json_at, text_at = accept.find("application/json"), accept.find("text/plain")
    return json_at >= 0 and (text_at < 0 or json_at < text_at)


@router.get("/v1/log/entries/{index}", response_model=EntryOut, summary="A leaf", responses=_ERRORS)
def entry(index: Annotated[int, Path(ge=0, le=2**62)], uow: Uow, _: Reader) -> EntryOut:
    with uow.reading():
        found = ledger.get_entry(uow, index)
        return EntryOut(index=index, entry=bytes(found.entry).decode(), leaf_hash=b64(bytes(found.leaf_hash)))


@router.get(
    "/v1/log/proof/inclusion",
    response_model=InclusionOut,
    summary="RFC 9162 inclusion proof",
    responses=_ERRORS,
)
def inclusion(
    index: Annotated[int, Query(ge=0, le=2**62)], tree_size: Size, uow: Uow, _: Reader
) -> InclusionOut:
    with uow.reading():
        hashes = ledger.prove_inclusion(uow, index, tree_size)
    return InclusionOut(index=index, tree_size=tree_size, hashes=[b64(h) for h in hashes])


@router.get(
    "/v1/log/proof/consistency",
    response_model=ConsistencyOut,
    summary="RFC 9162 consistency proof",
    responses=_ERRORS,
)
def consistency(
    uow: Uow,
    _: Reader,
    old_size: Annotated[int, Query(alias="from", ge=1, le=2**62)],
    new_size: Annotated[int, Query(alias="to", ge=1, le=2**62)],
) -> ConsistencyOut:
    with uow.reading():
        hashes = ledger.prove_consistency(uow, old_size, new_size)
    return ConsistencyOut(from_size=old_size, to_size=new_size, hashes=[b64(h) for h in hashes])


@router.get(
    "/v1/documents/{document_id}/versions/{number}/receipt",
    response_model=ReceiptOut,
    summary="The version's receipt: its leaf, an inclusion proof and a signed checkpoint",
    responses=_ERRORS,
)
def receipt(document_id: DocumentId, number: VersionNumber, uow: Uow, viewer: Reader) -> ReceiptOut:
    with uow.writing():
        version = access.version_for(uow, viewer, document_id, number)
        found = ledger.receipt_for(uow, version)
    return ReceiptOut.of(found)


@router.get(
    "/v1/log/attestors",
    response_model=AttestorsOut,
    summary="Where each witness and the time-stamping authority stands against the newest checkpoint",
    responses={**_ERRORS, 403: forbidden_doc()},
)
def attestors(uow: Uow, _: Auditor) -> AttestorsOut:
    with uow.reading():
        size, states = attestor_states(uow)
        return AttestorsOut.of(size, states)
