"""What an admin decides about a document, each decision also a leaf of the verifiable log: withdraw it (or
one version) and reverse that, purge its bytes for good, place and release a legal hold, restrict it or
embargo it until a time, and grant a key access to it. Who may then see what is decided in
`archive.services.access`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.db.governance_models import AccessGrant, DocumentPolicy, Purge, PurgedBlob, Withdrawal
from archive.db.models import Version
from archive.digests import Digests
from archive.errors import Conflict, DocumentHeld, DocumentNotFound, InvalidInput, NotFound, VersionNotFound
from archive.ledger.governance_events import (
    access_changed,
    access_granted,
    document_purged,
    document_withdrawn,
    hold_changed,
    withdrawal_reversed,
)
from archive.services.log import append_event
from archive.services.unit_of_work import SqlUnitOfWork

MAX_REASON = 2000


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"a reason is 1 to {MAX_REASON} characters", field="reason")
    return reason


def _require_document(uow: SqlUnitOfWork, document_id: str, version: int | None) -> None:
    if uow.documents.get(document_id) is None:
        raise DocumentNotFound(document_id)
    if version is not None and uow.documents.version(document_id, version) is None:
        raise VersionNotFound(document_id, version)


def _what(version: int | None) -> str:
    return "the document" if version is None else f"version {version}"


def withdraw(
    uow: SqlUnitOfWork, document_id: str, *, version: int | None, reason: str, actor: str
) -> Withdrawal:
    """Withdraw a document (`version` None) or one version: from now its bytes are served to admins only."""
    reason = _reason(reason)
    _require_document(uow, document_id, version)
    if any(w.version == version for w in uow.governance.withdrawals(document_id)):
        raise Conflict(f"{_what(version)} is already withdrawn", document_id=document_id, version=version)
    now = datetime.now(UTC)
    index = append_event(
        uow.log,
        document_withdrawn(document_id=document_id, version=version, reason=reason, time=now, actor=actor),
    )
    row = Withdrawal(
        document_id=document_id,
        version=version,
        reason=reason,
        withdrawn_at=now,
        withdrawn_by=actor,
        log_index=index,
    )
    uow.governance.add(row)
    return row


def reverse_withdrawal(
    uow: SqlUnitOfWork, document_id: str, *, version: int | None, reason: str, actor: str
) -> Withdrawal:
    """End the withdrawal in force of the document (or of one version): its bytes are served again."""
    reason = _reason(reason)
    _require_document(uow, document_id, version)
    found = next((w for w in uow.governance.withdrawals(document_id) if w.version == version), None)
    if found is None:
        raise NotFound(
            f"{_what(version)} of {document_id} is not withdrawn", document_id=document_id, version=version
        )
    now = datetime.now(UTC)
    found.reversal_log_index = append_event(
        uow.log,
        withdrawal_reversed(
            document_id=document_id,
            version=version,
            withdrawal_index=found.log_index,
            reason=reason,
            time=now,
            actor=actor,
        ),
    )
    found.reversed_at, found.reversed_by, found.reversal_reason = now, actor, reason
    uow.governance.flush()
    return found


@dataclass(frozen=True)
class PurgeOutcome:
    purge: Purge
    removed: list[str]


def purge(
    uow: SqlUnitOfWork, document_id: str, *, version: int | None, reason: str, confirm: str, actor: str
) -> PurgeOutcome:
    """Record the purge of a document's bytes (or one version's): each blob no other unpurged version uses
    gets a tombstone, and the leaf names their digests. The bytes themselves are removed by `remove_bytes`
    once this is committed (a crash between leaves tombstoned bytes, which `archive gc` removes)."""
    reason = _reason(reason)
    if confirm != document_id:
        raise InvalidInput(
            "`confirm` must repeat the document's id: a purge cannot be undone", field="confirm"
        )
    _require_document(uow, document_id, version)
    policy = uow.governance.policy_to_change(document_id)
    if policy.held_since is not None:
        raise DocumentHeld(document_id, policy.held_since, policy.hold_reason or "")
    if any(p.version in (None, version) for p in uow.governance.purges(document_id)):
        raise Conflict("these bytes are already purged", document_id=document_id, version=version)
    versions = uow.documents.versions(document_id)
    going = [v for v in versions if version in (None, v.number)]
    removed = _blobs_to_remove(uow, going)
    now = datetime.now(UTC)
    event = document_purged(
        document_id=document_id, version=version, reason=reason, removed=removed, time=now, actor=actor
    )
    row = Purge(
        document_id=document_id,
        version=version,
        reason=reason,
        purged_at=now,
        purged_by=actor,
        log_index=append_event(uow.log, event),
        blobs=[{"blake3": d.blake3, "sha256": d.sha256, "size": d.size} for d in removed],
    )
    uow.governance.add(row)
    for digests in removed:
        uow.governance.add(PurgedBlob(blake3=digests.blake3, purge_id=row.id, purged_at=now))
    for gone in going:
        gone.text = None  # read from the bytes: it goes with them (searches leave purged versions out)
    uow.documents.flush()
    return PurgeOutcome(row, [d.blake3 for d in removed])


def _blobs_to_remove(uow: SqlUnitOfWork, going: Sequence[Version]) -> list[Digests]:
    """The blobs of `going` (bytes and previews) that no other version keeps, and not already purged."""
    leaving = {v.id for v in going}
    candidates = list(dict.fromkeys(b for v in going for b in (v.blob_blake3, v.preview_blake3) if b))
    already = uow.governance.purged_blobs(candidates)
    removed: list[Digests] = []
    for blake3 in candidates:
        if blake3 in already:
            continue
        others = [v for v in uow.governance.versions_using(blake3) if v.id not in leaving]
        if any(not _purged(uow, v) for v in others):
            continue
        blob = uow.blobs.get(blake3)
        assert blob is not None
        removed.append(Digests(blob.blake3, blob.sha256, blob.size))
    return removed


def _purged(uow: SqlUnitOfWork, version: Version) -> bool:
    return any(p.version in (None, version.number) for p in uow.governance.purges(version.document_id))


def remove_bytes(uow: SqlUnitOfWork, blake3s: Sequence[str]) -> None:
    """Delete purged blobs from storage and from the replica (absent is no error: a retry is harmless)."""
    for blake3 in blake3s:
        uow.store.delete(blake3)
        if uow.replica is not None:
            uow.replica.delete(blake3)


def set_hold(
    uow: SqlUnitOfWork, document_id: str, *, placed: bool, reason: str, actor: str
) -> DocumentPolicy:
    """Place a legal hold on a document (it cannot be purged, its blobs are never collected) or release it."""
    reason = _reason(reason)
    _require_document(uow, document_id, None)
    policy = uow.governance.policy_to_change(document_id)
    if (policy.held_since is not None) == placed:
        state = "already under a legal hold" if placed else "not under a legal hold"
        raise Conflict(f"document {document_id} is {state}", document_id=document_id)
    now = datetime.now(UTC)
    append_event(
        uow.log, hold_changed(document_id=document_id, placed=placed, reason=reason, time=now, actor=actor)
    )
    policy.held_since, policy.held_by, policy.hold_reason = (
        (now, actor, reason) if placed else (None, None, None)
    )
    uow.governance.flush()
    return policy


def set_access(
    uow: SqlUnitOfWork,
    document_id: str,
    *,
    restricted: bool,
    embargoed_until: datetime | None,
    actor: str,
) -> DocumentPolicy:
    """Restrict a document to granted keys (or open it), and embargo it until a time (or lift it)."""
    _require_document(uow, document_id, None)
    if embargoed_until is not None and embargoed_until.tzinfo is None:
        raise InvalidInput("`embargoed_until` needs a time zone", field="embargoed_until")
    policy = uow.governance.policy_to_change(document_id)
    now = datetime.now(UTC)
    append_event(
        uow.log,
        access_changed(
            document_id=document_id,
            restricted=restricted,
            embargoed_until=embargoed_until,
            time=now,
            actor=actor,
        ),
    )
    policy.restricted, policy.embargoed_until = restricted, embargoed_until
    uow.governance.flush()
    return policy


def set_grant(uow: SqlUnitOfWork, document_id: str, key_name: str, *, granted: bool, actor: str) -> bool:
    """Allow a key (by name) to see a restricted document, or no longer; whether anything changed."""
    _require_document(uow, document_id, None)
    if uow.keys.by_name(key_name) is None:
        raise NotFound(f"no API key is named {key_name!r}", key_name=key_name)
    existing = uow.governance.grant(document_id, key_name)
    if (existing is not None) == granted:
        return False
    now = datetime.now(UTC)
    append_event(
        uow.log,
        access_granted(document_id=document_id, key_name=key_name, granted=granted, time=now, actor=actor),
    )
    if existing is not None:
        uow.governance.delete(existing)
    else:
        uow.governance.add(
            AccessGrant(document_id=document_id, key_name=key_name, granted_at=now, granted_by=actor)
        )
    return True


@dataclass(frozen=True)
class GovernanceView:
    document_id: str
    policy: DocumentPolicy | None
    grants: list[AccessGrant]
    withdrawals: list[Withdrawal]
    purges: list[Purge]


def describe(uow: SqlUnitOfWork, document_id: str) -> GovernanceView:
    """Everything decided about a document (for admins): policy, grants, every withdrawal and purge."""
    _require_document(uow, document_id, None)
    return GovernanceView(
        document_id,
        uow.governance.policy(document_id),
        list(uow.governance.grants(document_id)),
        list(uow.governance.all_withdrawals(document_id)),
        list(uow.governance.purges(document_id)),
    )
