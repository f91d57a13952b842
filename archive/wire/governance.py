"""Withdrawals, purges, legal holds and access to a document, on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from archive.db.governance_models import AccessGrant, DocumentPolicy, Purge, Withdrawal
from archive.domain.versions import MAX_VERSION

Reason = Annotated[str, Field(min_length=1, max_length=2000, description="Why, as a sentence.")]


def _a_number(value: object) -> object:
    """A version number as JSON writes one: `true` is not version 1, nor is `"1"` (Python would say so)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a version number")
    return value


VersionNumber = Annotated[int, Field(ge=1, le=MAX_VERSION), BeforeValidator(_a_number)]
OneVersion = Annotated[
    VersionNumber | None, Field(default=None, description="One version; absent: the whole document.")
]


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
    version: OneVersion = None


class PurgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
    confirm: str = Field(max_length=26, description="The document's id again: a purge cannot be undone.")
    version: OneVersion = None


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


def _written_time(value: object) -> object:
    """A time as JSON writes it (RFC 3339 text), not a number of seconds read as one."""
    if isinstance(value, int | float):
        raise ValueError("must be an RFC 3339 date-time with an offset, such as 2027-01-01T00:00:00Z")
    return value


class AccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    restricted: StrictBool = Field(description="Only admins and keys granted access see it.")
    embargoed_until: Annotated[AwareDatetime | None, BeforeValidator(_written_time)] = Field(
        default=None, description="Hidden from all but admins until then (RFC 3339 with an offset)."
    )


class WithdrawalOut(BaseModel):
    document_id: str
    version: int | None
    reason: str
    withdrawn_at: datetime
    withdrawn_by: str
    log_index: int
    reversed_at: datetime | None
    reversed_by: str | None
    reversal_reason: str | None
    reversal_log_index: int | None

    @classmethod
    def of(cls, row: Withdrawal) -> WithdrawalOut:
        return cls.model_validate(row, from_attributes=True)


class PurgeOut(BaseModel):
    document_id: str
    version: int | None
    reason: str
    purged_at: datetime
    purged_by: str
    log_index: int
    removed: list[dict[str, Any]] = Field(description="The blobs whose bytes were removed: their digests.")

    @classmethod
    def of(cls, row: Purge) -> PurgeOut:
        return cls(
            document_id=row.document_id,
            version=row.version,
            reason=row.reason,
            purged_at=row.purged_at,
            purged_by=row.purged_by,
            log_index=row.log_index,
            removed=row.blobs,
        )


class HoldOut(BaseModel):
    since: datetime
    by: str
    reason: str


class GovernanceOut(BaseModel):
    """Everything decided about a document: who may see it, its hold, its withdrawals and purges."""

    document_id: str
    restricted: bool
    embargoed_until: datetime | None
    hold: HoldOut | None
    grants: list[str] = Field(description="The names of the keys that may see it while it is restricted.")
    withdrawals: list[WithdrawalOut] = Field(
        description="Every withdrawal, in force or reversed, oldest first."
    )
    purges: list[PurgeOut]

    @classmethod
    def of(
        cls,
        document_id: str,
        policy: DocumentPolicy | None,
        grants: list[AccessGrant],
        withdrawals: list[Withdrawal],
        purges: list[Purge],
    ) -> GovernanceOut:
        hold = None
        if policy is not None and policy.held_since is not None:
            hold = HoldOut(since=policy.held_since, by=policy.held_by or "", reason=policy.hold_reason or "")
        return cls(
            document_id=document_id,
            restricted=policy is not None and policy.restricted,
            embargoed_until=policy.embargoed_until if policy is not None else None,
            hold=hold,
            grants=[g.key_name for g in grants],
            withdrawals=[WithdrawalOut.of(w) for w in withdrawals],
            purges=[PurgeOut.of(p) for p in purges],
        )
