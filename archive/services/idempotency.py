"""Idempotency keys: a retried request gets the first answer back and stores nothing new.

`answer_once` runs a use case's work at most once per (principal, key): the answer is remembered in the
same transaction as the work, so either both are stored or neither; a retry with the same key and the same
request gets that answer again, with another request a 422; two requests with one key at once race, and the
loser's work rolls back and it answers with the winner's answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from archive.db.models import IdempotencyRecord, Version
from archive.errors import Conflict, InvalidInput
from archive.services.ingest import IngestResult
from archive.services.unit_of_work import UnitOfWork

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
Prepared = TypeVar("Prepared")
Render = Callable[[Version], dict[str, Any]]
"""How an answer is given on the wire: what is remembered and replayed (the API's `VersionOut`)."""


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
class Once:
    """A request to be answered once: who sent it, its key, and what identifies its content."""

    principal: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Answer:
    """A use case's answer as the wire gives it, and whether it added anything (201) or not (200)."""

    response: dict[str, Any]
    created: bool


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


def answer_once(
    uow: UnitOfWork,
    once: Once | None,
    render: Render,
    prepare: Callable[[], Prepared],
    record: Callable[[Prepared], IngestResult],
    *,
    then: Callable[[IngestResult], None] | None = None,
) -> Answer:
    """`prepare` outside any transaction, then `record` in one and render its version, unless `once` was
    answered before: then give that answer again and do nothing. `then` runs in the same transaction as
    `record`, with its result (a capture records there what it became, so both land or neither)."""
    if once is not None:
        with uow.reading():
            remembered = recall(uow, once)
        if remembered is not None:
            return remembered
    prepared = prepare()
    try:
        with uow.writing():
            result = record(prepared)
            if then is not None:
                then(result)
            answer = Answer(render(result.version), result.created)
            if once is not None:
                remember(uow, once, answer)
            return answer
    except IdempotencyRace:
        assert once is not None
        with uow.reading():
            remembered = recall(uow, once)
    assert remembered is not None
    return remembered


def recall(uow: UnitOfWork, once: Once) -> Answer | None:
    """The answer first given to this key, or None; `IdempotencyKeyReused` for another request."""
    record = uow.idempotency.get(once.principal, once.key)
    if record is None:
        return None
    if record.fingerprint != once.fingerprint:
        raise IdempotencyKeyReused(once.key)
    return Answer(response=record.response, created=record.created)


def remember(uow: UnitOfWork, once: Once, answer: Answer) -> None:
    """Keep the answer, in the same transaction as the work it answers. A racing twin that got there
    first makes this raise `IdempotencyRace`, and the transaction (its work) rolls back."""
    stored = uow.idempotency.add_unless_taken(
        IdempotencyRecord(
            principal=once.principal,
            key=once.key,
            fingerprint=once.fingerprint,
            created=answer.created,
            response=answer.response,
        )
    )
    if stored is None or stored.fingerprint != once.fingerprint or stored.response != answer.response:
        raise IdempotencyRace(
            f"another request with the Idempotency-Key {once.key!r} finished first", key=once.key
        )
