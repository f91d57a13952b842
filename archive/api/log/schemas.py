"""The log API's own wire models: a leaf, a consistency proof between two tree sizes, and the attestors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from archive.db.log_models import Attestor


class EntryOut(BaseModel):
    index: int
    entry: str = Field(description="The leaf's canonical JSON, exactly the bytes hashed (UTF-8).")
    leaf_hash: str = Field(description="base64 of SHA-256(0x00 ‖ entry).")


class ConsistencyOut(BaseModel):
    model_config = {"populate_by_name": True}

    from_size: int = Field(serialization_alias="from")
    to_size: int = Field(serialization_alias="to")
    hashes: list[str]


class AttestorOut(BaseModel):
    id: str = Field(
        description="A witness's `<name>+<key ID>`, or `tsa <url>` for the time-stamping authority."
    )
    kind: str = Field(description="`cosignature` (a witness) or `timestamp` (an RFC 3161 authority).")
    url: str
    attested_size: int = Field(description="The largest tree it has attested (0: none yet).")
    behind: int = Field(description="Leaves of the newest checkpoint it has not attested: the gap.")
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None = Field(description="Why the last attempt failed; null when it succeeded.")


class AttestorsOut(BaseModel):
    checkpoint_size: int = Field(description="The size of the newest signed checkpoint.")
    attestors: list[AttestorOut]

    @classmethod
    def of(cls, size: int, states: Sequence[Attestor]) -> AttestorsOut:
        return cls(
            checkpoint_size=size,
            attestors=[
                AttestorOut(
                    id=a.id,
                    kind=a.kind,
                    url=a.url,
                    attested_size=a.attested_size,
                    behind=max(0, size - a.attested_size),
                    last_attempt_at=a.last_attempt_at,
                    last_success_at=a.last_success_at,
                    last_error=a.last_error,
                )
                for a in states
            ],
        )
