"""Whether bytes (or a digest) are archived, in which versions, and how their last fixity check went."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from archive.services.verify import Verification
from archive.wire.versions import version_path


class HoldingOut(BaseModel):
    document_id: str
    version: int
    archived_at: datetime
    url: str


class LastFixityOut(BaseModel):
    """The blob's last fixity check; `log_index` is the log leaf that recorded a failure."""

    status: str = Field(description="ok, corrupt or missing.")
    checked_at: datetime
    log_index: int | None


class VerificationOut(BaseModel):
    archived: bool
    blake3: str | None
    sha256: str | None
    size: int | None
    versions: list[HoldingOut]
    fixity: LastFixityOut | None = Field(default=None, description="The last fixity check (None: never).")

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        return cls(
            archived=result.archived,
            blake3=result.blake3,
            sha256=result.sha256,
            size=result.size,
            versions=[
                HoldingOut(
                    document_id=h.document_id,
                    version=h.version,
                    archived_at=h.archived_at,
                    url=version_path(h.document_id, h.version),
                )
                for h in result.versions
            ],
            fixity=LastFixityOut(
                status=result.fixity.status,
                checked_at=result.fixity.checked_at,
                log_index=result.fixity.log_index,
            )
            if result.fixity is not None
            else None,
        )
