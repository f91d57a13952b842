"""The blobs API's own wire models: a verification request by digest, and a fixity check's result."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from archive.digests import DIGEST_PATTERN, Digests
from archive.services.fixity import FixityResult


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
