"""Idempotency keys: a retried upload gets the first answer back and stores nothing new."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from archive.db.models import IdempotencyRecord
from archive.db.repository import Repository
from archive.errors import Conflict, InvalidInput

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyReused(InvalidInput):
    title = "Idempotency key reused"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"the Idempotency-Key {key!r} was used for a different request; use a new key for a new request",
            key=key,
        )


class IdempotencyRace(Conflict):
    """Two requests with one key ran at once; the other one's answer stands (retry to read it)."""

    title = "Idempotent request in flight"


@dataclass(frozen=True)
class Remembered:
    created: bool
    response: dict[str, Any]


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise InvalidInput("an Idempotency-Key is 1 to 255 printable ASCII characters, without spaces")
    return key


def fingerprint(*parts: bytes | str) -> str:
    """What identifies a request's content: the SHA-256 of its parts, each length-prefixed."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def recall(session: Session, principal: str, key: str, print_: str) -> Remembered | None:
    """The answer first given to this key, or None; `IdempotencyKeyReused` for another request."""
    record = session.get(IdempotencyRecord, (principal, key))
    if record is None:
        return None
    if record.fingerprint != print_:
        raise IdempotencyKeyReused(key)
    return Remembered(created=record.created, response=record.response)


def remember(
    session: Session, principal: str, key: str, print_: str, *, created: bool, response: dict[str, Any]
) -> None:
    """Keep the answer, in the same transaction as the work it answers. A racing twin that got there
    first makes this raise `IdempotencyRace`, and the caller's transaction (its work) rolls back."""
    Repository(session).insert_ignoring_conflict(
        IdempotencyRecord,
        principal=principal,
        key=key,
        fingerprint=print_,
        created=created,
        response=response,
    )
    stored = session.get(IdempotencyRecord, (principal, key))
    if stored is None or stored.fingerprint != print_ or stored.response != response:
        raise IdempotencyRace(f"another request with the Idempotency-Key {key!r} finished first", key=key)
