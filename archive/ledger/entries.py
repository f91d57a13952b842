"""The log's leaf entries: one event each, serialised as RFC 8785 (JCS) canonical JSON.

Canonical JSON makes an entry's bytes a function of its content alone - key order, spacing and escapes are
fixed - so anyone holding the event can recompute its leaf hash. Floats are refused: their canonical form is
the shortest round-trip representation, which is exact but easy to produce differently elsewhere; every
number the archive logs (sizes, version numbers) is an integer, and RFC 8785 bounds those to ±(2^53 - 1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias, TypedDict

import rfc8785

from archive.digests import DIGEST_HEX, Digests
from archive.ledger.errors import InvalidEntry
from archive.ledger.merkle import leaf_hash
from archive.roles import Role

VERSION_ADDED = "version.added"
KEY_CREATED = "key.created"
KEY_REVOKED = "key.revoked"
FIXITY_FAILED = "fixity.failed"
SIGNING_KEY_ROTATED = "signing_key.rotated"
BLOB_REPAIRED = "blob.repaired"
MISSING: Literal["missing"] = "missing"

JsonValue: TypeAlias = bool | int | str | list["JsonValue"] | dict[str, "JsonValue"] | None


class VersionAdded(TypedDict):
    type: Literal["version.added"]
    document_id: str
    version: int
    blake3: str
    sha256: str
    size: int
    media_type: str
    metadata_sha256: str
    time: str
    actor: str


class KeyEvent(TypedDict):
    type: Literal["key.created", "key.revoked"]
    key_name: str
    role: str
    time: str
    actor: str


class DigestsEntry(TypedDict):
    blake3: str
    sha256: str
    size: int


class FixityFailed(TypedDict):
    type: Literal["fixity.failed"]
    blake3: str
    expected: DigestsEntry
    found: DigestsEntry | Literal["missing"]
    time: str
    actor: str


class KeyRotated(TypedDict):
    type: Literal["signing_key.rotated"]
    retired_key: str
    new_key: str
    from_size: int
    reason: str
    time: str
    actor: str


class BlobRepaired(TypedDict):
    type: Literal["blob.repaired"]
    blake3: str
    copy: Literal["primary", "replica"]
    found: DigestsEntry | Literal["missing"]
    source: Literal["primary", "replica"]
    time: str
    actor: str


# Canonical bytes


def canonical_entry(event: Mapping[str, Any]) -> bytes:
    """The RFC 8785 canonical JSON of `event`: an object with a non-empty string `type`, made of strings,
    integers, booleans, nulls, lists and string-keyed objects only."""
    kind = event.get("type")
    if not isinstance(kind, str) or kind == "":
        raise InvalidEntry("a log entry needs a non-empty string `type`")
    plain = _plain(event, "entry")
    try:
        return rfc8785.dumps(plain)
    except rfc8785.CanonicalizationError as error:
        raise InvalidEntry(f"the entry cannot be canonical JSON: {error}") from error


def entry_leaf_hash(event: Mapping[str, Any]) -> bytes:
    """The Merkle leaf hash of an event: SHA-256(0x00 || canonical JSON)."""
    return leaf_hash(canonical_entry(event))


def parse_entry(entry: bytes) -> dict[str, Any]:
    """The event in a stored entry, refusing any bytes that are not exactly its canonical form: a log
    verifier must not accept two encodings of one event."""
    try:
        event = json.loads(entry, parse_float=_refuse_float, parse_constant=_refuse_float)
    except (ValueError, InvalidEntry) as error:
        raise InvalidEntry(f"a log entry must be canonical JSON: {error}") from error
    if not isinstance(event, dict):
        raise InvalidEntry("a log entry must be a JSON object")
    if canonical_entry(event) != entry:
        raise InvalidEntry("the log entry is JSON but not in RFC 8785 canonical form")
    return event


def _plain(value: object, path: str) -> JsonValue:
    """`value` rebuilt from plain JSON types (str and int subclasses such as enums become str and int),
    naming the path of the first value that has no canonical JSON form."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise InvalidEntry(f"{path} is a float; log entries hold integers only", path=path)
    if isinstance(value, Mapping):
        return _plain_object(value, path)
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{position}]") for position, item in enumerate(value)]
    raise InvalidEntry(f"{path} is a {type(value).__name__}, which has no JSON form", path=path)


def _plain_object(value: Mapping[Any, Any], path: str) -> dict[str, JsonValue]:
    plain: dict[str, JsonValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidEntry(f"{path} has the non-string key {key!r}", path=path)
        plain[str.__str__(key)] = _plain(item, f"{path}.{key}")
    return plain


def _refuse_float(text: str) -> None:
    raise InvalidEntry(f"the number {text} is not an integer")


# The events the archive logs


def version_added(
    *,
    document_id: str,
    version: int,
    blake3: str,
    sha256: str,
    size: int,
    media_type: str,
    metadata_sha256: str,
    time: datetime,
    actor: str,
) -> VersionAdded:
    """A new version of a document was archived: which bytes, under which metadata, when and by whom."""
    if version < 1:
        raise InvalidEntry(f"version numbers start at 1, not {version}")
    if size < 0:
        raise InvalidEntry(f"a size cannot be negative ({size})")
    return {
        "type": "version.added",
        "document_id": _text(document_id, "document_id"),
        "version": version,
        "blake3": _digest(blake3, "blake3"),
        "sha256": _digest(sha256, "sha256"),
        "size": size,
        "media_type": _text(media_type, "media_type"),
        "metadata_sha256": _digest(metadata_sha256, "metadata_sha256"),
        "time": rfc3339_utc(time),
        "actor": _text(actor, "actor"),
    }


def key_created(*, key_name: str, role: Role | str, time: datetime, actor: str) -> KeyEvent:
    return _key_event("key.created", key_name, role, time, actor)


def key_revoked(*, key_name: str, role: Role | str, time: datetime, actor: str) -> KeyEvent:
    return _key_event("key.revoked", key_name, role, time, actor)


def fixity_failed(*, expected: Digests, found: Digests | None, time: datetime, actor: str) -> FixityFailed:
    """A stored blob no longer matches its digests; `found` is None when the blob is gone altogether."""
    if found == expected:
        raise InvalidEntry("the digests found match the ones expected: that is no fixity failure")
    return {
        "type": "fixity.failed",
        "blake3": expected.blake3,
        "expected": _digests(expected),
        "found": "missing" if found is None else _digests(found),
        "time": rfc3339_utc(time),
        "actor": _text(actor, "actor"),
    }


def signing_key_rotated(
    *, retired_key: str, new_key: str, from_size: int, reason: str, time: datetime, actor: str
) -> KeyRotated:
    """The log's checkpoints are signed by `new_key` from the tree of `from_size` leaves on (the tree this
    leaf completes, which both keys sign); `retired_key` signs no later tree. Keys in C2SP vkey form."""
    if from_size < 1:
        raise InvalidEntry(f"a key rotation takes effect at a tree of at least one leaf, not {from_size}")
    if retired_key == new_key:
        raise InvalidEntry("a key rotation needs a new key")
    return {
        "type": "signing_key.rotated",
        "retired_key": _text(retired_key, "retired_key"),
        "new_key": _text(new_key, "new_key"),
        "from_size": from_size,
        "reason": _text(reason, "reason"),
        "time": rfc3339_utc(time),
        "actor": _text(actor, "actor"),
    }


def blob_repaired(
    *,
    expected: Digests,
    copy: Literal["primary", "replica"],
    found: Digests | None,
    time: datetime,
    actor: str,
) -> BlobRepaired:
    """One copy of a blob (`copy`) was found other than archived (`found`; None: gone) and written again
    from the other copy, which held the archived bytes."""
    if found == expected:
        raise InvalidEntry("the digests found match the ones expected: there was nothing to repair")
    return {
        "type": "blob.repaired",
        "blake3": _digest(expected.blake3, "blake3"),
        "copy": copy,
        "found": "missing" if found is None else _digests(found),
        "source": "replica" if copy == "primary" else "primary",
        "time": rfc3339_utc(time),
        "actor": _text(actor, "actor"),
    }


def rfc3339_utc(moment: datetime) -> str:
    """`moment` in UTC as RFC 3339 with a Z: whole seconds, or microseconds when it has any."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidEntry("a log entry's time must carry a time zone; a naive time is ambiguous")
    timespec = "microseconds" if moment.microsecond else "seconds"
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _key_event(
    kind: Literal["key.created", "key.revoked"], key_name: str, role: Role | str, time: datetime, actor: str
) -> KeyEvent:
    try:
        role_value = Role(role).value
    except ValueError as error:
        raise InvalidEntry(f"unknown role {role!r}") from error
    return {
        "type": kind,
        "key_name": _text(key_name, "key_name"),
        "role": role_value,
        "time": rfc3339_utc(time),
        "actor": _text(actor, "actor"),
    }


def _digests(digests: Digests) -> DigestsEntry:
    if digests.size < 0:
        raise InvalidEntry(f"a size cannot be negative ({digests.size})")
    return {
        "blake3": _digest(digests.blake3, "blake3"),
        "sha256": _digest(digests.sha256, "sha256"),
        "size": digests.size,
    }


def _digest(value: str, field: str) -> str:
    if not DIGEST_HEX.fullmatch(value):
        raise InvalidEntry(f"{field} must be 64 lowercase hexadecimal digits", field=field)
    return value


def _text(value: str, field: str) -> str:
    if value == "" or value.strip() != value:
        raise InvalidEntry(f"{field} must be non-empty, without surrounding spaces", field=field)
    return value
