"""Is this exact byte sequence archived, and where?"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive.digests import Digests
from archive.services.fixity import FixityState, last_fixity
from archive.services.unit_of_work import UnitOfWork

MAX_HOLDINGS = 100


@dataclass(frozen=True)
class Holding:
    document_id: str
    version: int
    archived_at: datetime


@dataclass(frozen=True)
class Verification:
    archived: bool
    blake3: str | None
    sha256: str | None
    size: int | None
    versions: list[Holding] = field(default_factory=list)
    fixity: FixityState | None = None


def verify_digest(
    uow: UnitOfWork,
    *,
    blake3: str | None = None,
    sha256: str | None = None,
    uploaded: Digests | None = None,
) -> Verification:
    """Look a blob up by BLAKE3 or SHA-256 (or by the digests of an upload) and list the versions
    holding it, oldest first."""
    if uploaded is not None:
        blake3, sha256 = uploaded.blake3, uploaded.sha256
    blob = uow.blobs.get(blake3) if blake3 is not None else None
    if blob is None and blake3 is None and sha256 is not None:
        blob = uow.blobs.by_sha256(sha256)
    if blob is None:
        size = uploaded.size if uploaded is not None else None
        return Verification(archived=False, blake3=blake3, sha256=sha256, size=size)
    holdings = [
        Holding(v.document_id, v.number, v.archived_at)
        for v in uow.documents.versions_holding_blob(blob.blake3, MAX_HOLDINGS)
    ]
    return Verification(
        archived=True,
        blake3=blob.blake3,
        sha256=blob.sha256,
        size=blob.size,
        versions=holdings,
        fixity=last_fixity(uow, blob),
    )
