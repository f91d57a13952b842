"""The blobs API's own wire models: a verification request by digest, and a fixity check's result."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from archive.digests import DIGEST_PATTERN, Digests
from archive.services.fixity import FixityResult
from archive.services.replication import Repair


class VerifyByDigest(BaseModel):
    """Ask about a digest without uploading: give exactly one of the two."""

    # Exactly one of the two is a string (the other absent or null), as `_parse_query` insists.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in ("blake3", "sha256")
            ]
        },
    )

    blake3: str | None = Field(default=None, pattern=DIGEST_PATTERN)
    sha256: str | None = Field(default=None, pattern=DIGEST_PATTERN)


class DigestsOut(BaseModel):
    blake3: str
    sha256: str
    size: int

    @classmethod
    def of(cls, digests: Digests) -> DigestsOut:
        return cls(blake3=digests.blake3, sha256=digests.sha256, size=digests.size)


class FixityOut(BaseModel):
    blake3: str
    status: str = Field(
        description="ok, corrupt (other bytes are stored), missing (nothing is) or purged (removed on "
        "purpose by a purge, whose leaf `log_index` names; not read)."
    )
    expected: DigestsOut
    found: DigestsOut | None = Field(description="What storage holds now; null when the blob is missing.")
    checked_at: datetime
    checked_by: str
    log_index: int | None = Field(
        description="The log leaf that recorded a failure (or the purge); null when ok."
    )
    replica: str | None = Field(
        default=None,
        description="When a replica is configured: what its copy holds after this check (ok, corrupt or "
        "missing; a bad copy is repaired from a good one); null without a replica, or when it was "
        "unreachable.",
    )
    repaired: str | None = Field(
        default=None, description="The copy repaired from the other (primary or replica), when one was."
    )
    repair_log_index: int | None = Field(default=None, description="The leaf that recorded the repair.")

    @classmethod
    def of(
        cls, result: FixityResult, *, replica: str | None = None, repaired: Repair | None = None
    ) -> FixityOut:
        return cls(
            blake3=result.blake3,
            status=result.status,
            expected=DigestsOut.of(result.expected),
            found=DigestsOut.of(result.found) if result.found is not None else None,
            checked_at=result.checked_at,
            checked_by=result.checked_by,
            log_index=result.log_index,
            replica=replica,
            repaired=repaired.copy if repaired is not None else None,
            repair_log_index=repaired.log_index if repaired is not None else None,
        )
