"""Liveness and readiness, for load balancers and orchestrators (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from archive.api.deps import Context
from archive.api.health.schemas import Health
from archive.db.migrate import require_migrated
from archive.errors import ArchiveError
from archive.extract.exiftool import exiftool_path
from archive.storage.base import CHECKSUMS, CONDITIONAL_WRITES, BlobStore

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="The database and storage are reachable, storage keeps the archive's guarantees (and which "
    "optional reader is missing)",
    responses={503: {"model": Health, "description": "A dependency is down; `checks` says which."}},
)
def readyz(context: Context) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        context.db.ping()
        require_migrated(context.db.engine)
        checks["database"] = "ok"
    except ArchiveError as exc:
        checks["database"] = exc.detail
    except Exception as exc:  # readiness reports any failure, whatever raised it
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        context.store.check()
        checks["storage"] = "ok"
        unkept = context.storage_probe.unkept(context.store)
        checks["storage_guarantees"] = (
            f"not kept: {unkept[CONDITIONAL_WRITES]}" if CONDITIONAL_WRITES in unkept else "ok"
        )
    except ArchiveError as exc:
        checks["storage"] = exc.detail
        unkept = {}
    ready = all(value == "ok" for value in checks.values())
    if CHECKSUMS in unkept:  # reported, but the archive's own digests still guard what it serves
        checks["storage_checksums"] = unkept[CHECKSUMS]
    if context.replica is not None:  # reported, not required: copies wait for it and audits repair them
        checks["replica"] = _replica_state(context.replica)
    if exiftool_path() is None:  # photos are still archived, without what they say about themselves
        checks["exiftool"] = "missing: photos are archived without their embedded metadata"
    body = Health(status="ready" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _replica_state(replica: BlobStore) -> str:
    try:
        replica.check()
    except ArchiveError as exc:
        return f"unavailable: {exc.detail}"
    return "ok"
