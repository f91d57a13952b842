"""The log's leaves for what an institution decides about a document: a withdrawal and its reversal, a
purge (with the digests of the bytes it removed, so every receipt naming them stays explicable), a legal
hold placed and released, and a change of who may see it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from archive.digests import Digests
from archive.ledger.entries import _digest, _text, rfc3339_utc
from archive.ledger.errors import InvalidEntry

DOCUMENT_WITHDRAWN = "document.withdrawn"
WITHDRAWAL_REVERSED = "withdrawal.reversed"
DOCUMENT_PURGED = "document.purged"
HOLD_PLACED = "hold.placed"
HOLD_RELEASED = "hold.released"
ACCESS_CHANGED = "access.changed"
ACCESS_GRANTED = "access.granted"
ACCESS_REVOKED = "access.revoked"


def _about(kind: str, document_id: str, time: datetime, actor: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "document_id": _text(document_id, "document_id"),
        **fields,
        "time": rfc3339_utc(time),
        "actor": _text(actor, "actor"),
    }


def _version(version: int | None) -> int | None:
    if version is not None and version < 1:
        raise InvalidEntry(f"version numbers start at 1, not {version}")
    return version


def document_withdrawn(
    *, document_id: str, version: int | None, reason: str, time: datetime, actor: str
) -> dict[str, Any]:
    """A document (`version` None) or one version is withdrawn: its bytes are no longer served."""
    return _about(
        DOCUMENT_WITHDRAWN,
        document_id,
        time,
        actor,
        version=_version(version),
        reason=_text(reason, "reason"),
    )


def withdrawal_reversed(
    *, document_id: str, version: int | None, withdrawal_index: int, reason: str, time: datetime, actor: str
) -> dict[str, Any]:
    """The withdrawal recorded at leaf `withdrawal_index` no longer holds: the bytes are served again."""
    return _about(
        WITHDRAWAL_REVERSED,
        document_id,
        time,
        actor,
        version=_version(version),
        withdrawal_index=withdrawal_index,
        reason=_text(reason, "reason"),
    )


def document_purged(
    *,
    document_id: str,
    version: int | None,
    reason: str,
    removed: Sequence[Digests],
    time: datetime,
    actor: str,
) -> dict[str, Any]:
    """The bytes of a document (or one version) were removed from storage for good; `removed` names each
    blob that went (none when other versions still use them all)."""
    return _about(
        DOCUMENT_PURGED,
        document_id,
        time,
        actor,
        version=_version(version),
        reason=_text(reason, "reason"),
        removed=[
            {"blake3": _digest(d.blake3, "blake3"), "sha256": _digest(d.sha256, "sha256"), "size": d.size}
            for d in removed
        ],
    )


def hold_changed(
    *, document_id: str, placed: bool, reason: str, time: datetime, actor: str
) -> dict[str, Any]:
    """A legal hold placed on a document (`placed`) or released."""
    kind = HOLD_PLACED if placed else HOLD_RELEASED
    return _about(kind, document_id, time, actor, reason=_text(reason, "reason"))


def access_changed(
    *, document_id: str, restricted: bool, embargoed_until: datetime | None, time: datetime, actor: str
) -> dict[str, Any]:
    """Who may see a document now: restricted to granted keys or not, embargoed until a time or not."""
    until = None if embargoed_until is None else rfc3339_utc(embargoed_until)
    return _about(ACCESS_CHANGED, document_id, time, actor, restricted=restricted, embargoed_until=until)


def access_granted(
    *, document_id: str, key_name: str, granted: bool, time: datetime, actor: str
) -> dict[str, Any]:
    """A key allowed to see a restricted document (`granted`), or no longer."""
    kind = ACCESS_GRANTED if granted else ACCESS_REVOKED
    return _about(kind, document_id, time, actor, key_name=_text(key_name, "key_name"))
