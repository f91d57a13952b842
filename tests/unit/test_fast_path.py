"""What the fast path keeps of the full app's answers, driven as ASGI with an app that answers as told."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from archive.api.fast_path import FastReads, ReadCache
from archive.services.keys import KeyCache
from archive.services.unit_of_work import UnitOfWork

BLOB = "/v1/blobs/" + "a" * 64


class Told:
    """An ASGI app that sends the messages it is given, and counts the requests it answered."""

    def __init__(self, *messages: Message) -> None:
        self.messages = list(messages)
        self.answered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.answered += 1
        for message in self.messages:
            await send(dict(message))


def ok(body: bytes, *, status: int = 200) -> list[Message]:
    headers = [(b"etag", b'"e"'), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


def request(app: Any, method: str = "GET", path: str = BLOB) -> list[Message]:
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": []}
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def no_database() -> UnitOfWork:
    raise AssertionError("the anonymous reader of a public archive needs no database")


def fast(told: Told) -> FastReads:
    cache = ReadCache(seconds=1.0, max_bytes=1000, max_body=100)
    return FastReads(told, cache=cache, keys=KeyCache(seconds=1.0), public_read=True, new_uow=no_database)


def test_a_whole_answer_is_kept_and_given_again_as_sent() -> None:
    told = Told(*ok(b"bytes"))
    layer = fast(told)
    first = request(layer)
    assert request(layer) == first
    assert told.answered == 1 and layer.cache.served == 1


def test_a_streamed_answer_is_not_kept() -> None:
    start, _ = ok(b"abc")
    told = Told(
        start,
        {"type": "http.response.body", "body": b"a", "more_body": True},
        {"type": "http.response.body", "body": b"bc", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": False},
    )
    layer = fast(told)
    request(layer)
    request(layer)
    assert told.answered == 2 and len(layer.cache) == 0


def test_answers_that_are_not_a_plain_whole_200_are_not_kept() -> None:
    for messages in (
        ok(b"x", status=404),
        ok(b"x" * 101),  # over max_body
        [ok(b"x")[0], {"type": "http.response.body", "body": b"xy"}],  # not the length it declares
    ):
        told = Told(*messages)
        layer = fast(told)
        request(layer)
        request(layer)
        assert told.answered == 2 and len(layer.cache) == 0


def test_a_write_or_a_server_error_empties_the_cache() -> None:
    told = Told(*ok(b"bytes"))
    layer = fast(told)
    request(layer)
    assert len(layer.cache) == 1
    request(layer, "POST", "/v1/documents")
    assert len(layer.cache) == 0
    request(layer)
    assert len(layer.cache) == 1
    failing = FastReads(Told(*ok(b"no", status=502)), layer.cache, layer.keys, True, no_database)
    request(failing, path="/v1/blobs/" + "b" * 64)
    assert len(layer.cache) == 0


def test_other_paths_and_methods_pass_through() -> None:
    told = Told(*ok(b"bytes"))
    layer = fast(told)
    for method, path in [("GET", "/v1/documents"), ("HEAD", BLOB), ("GET", BLOB + "/x")]:
        request(layer, method, path)
        request(layer, method, path)
    assert told.answered == 6 and len(layer.cache) == 0
