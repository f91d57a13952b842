"""The log API's own wire models: a leaf, a consistency proof between two tree sizes, and the attestors."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from archive.db.log_models import Attestor, SigningKey


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


class SigningKeyOut(BaseModel):
    name: str = Field(description="The key's name: the log's origin.")
    key_id: str = Field(description="The signed-note key ID, 8 hex digits.")
    public_key: str = Field(description="base64 of the 32-byte Ed25519 public key.")
    vkey: str = Field(description="The verifier key, `<name>+<key ID>+<base64(0x01 ‖ public key)>`.")
    first_size: int = Field(description="The smallest tree size it signs.")
    last_size: int | None = Field(description="The largest tree size it signed; null while it signs.")
    created_at: datetime | None = Field(description="When it began signing (null: not yet recorded).")
    retired_at: datetime | None
    retired_by_leaf: int | None = Field(description="The log index of the rotation that retired it.")
    retired_reason: str | None


class SigningKeysOut(BaseModel):
    origin: str
    current: str = Field(description="The verifier key that signs now (what the text form serves).")
    keys: list[SigningKeyOut] = Field(description="Every key the log has had, oldest first.")

    @classmethod
    def of(cls, origin: str, keys: Sequence[SigningKey]) -> SigningKeysOut:
        listed = [
            SigningKeyOut(
                name=k.name,
                key_id=k.key_id,
                public_key=base64.b64encode(bytes(k.public_key)).decode("ascii"),
                vkey=k.vkey,
                first_size=k.first_size,
                last_size=k.last_size,
                created_at=k.created_at,
                retired_at=k.retired_at,
                retired_by_leaf=k.retired_by_leaf,
                retired_reason=k.retired_reason,
            )
            for k in keys
        ]
        current = next(k.vkey for k in listed if k.last_size is None)
        return cls(origin=origin, current=current, keys=listed)
