"""The fast path for hot reads: a pure ASGI layer that answers repeated fetches of small archived bytes
from memory, without routing, dependency solving, a worker thread or the database.

It answers only what the full route answered first. A `GET` of a blob by digest, of a version's content
or of a document's latest content goes to the full route (every check, every header) the first time; a
200 that carried the whole verified body (blobs up to `ARCHIVE_VERIFY_ON_READ_BYTES` are read whole and
re-hashed before they are sent) is kept, as the route sent it, for the path and the principal who asked.
Until it expires (`ARCHIVE_KEY_CACHE_SECONDS`, the bound a key revocation already has) the same principal's
next `GET` of the path is answered from it, with `If-None-Match`, `If-Range` and `Range` negotiated as the
route negotiates them (`archive.api.content.negotiate`). Everything else passes through untouched: another
method, a query string, a key not found valid within the bound, a range outside the bytes, anything the
route did not answer with a cacheable 200. In the last quarter of an answer's life (or of its key's), one
request at a time checks the key again and goes to the full route, which renews the answer; the others are
still answered from it until it expires. Any request that may write (not `GET`, `HEAD` or `OPTIONS`)
empties the cache when it ends, and so does a 5xx on a content path, so this process never serves what
a write of its own has changed; other processes' writes take effect within the bound.

`FastReads.answerable` is the one place that decides whether a request may be answered here.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive.api.content import content_range, negotiate
from archive.errors import ArchiveError, UnsatisfiableRange
from archive.roles import Role
from archive.services.keys import ANONYMOUS_READER, KeyCache, Principal
from archive.services.unit_of_work import UnitOfWork

_HOT_PATH = re.compile(
    r"^/v1/(?:blobs/[0-9a-f]{64}|documents/[0-9A-HJKMNP-TV-Z]{26}/(?:versions/[1-9][0-9]{0,8}/)?content)$"
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WITHOUT_BODY = frozenset({b"content-type", b"content-length"})
RawHeaders = list[tuple[bytes, bytes]]
CacheKey = tuple[str, Principal]


@dataclass(frozen=True)
class Answer:
    """A 200 the full route sent with its whole, verified body: its headers as sent, and its route (for
    the metrics' route label)."""

    headers: RawHeaders
    body: bytes
    etag: str
    route: object
    expires: float


@dataclass
class ReadCache:
    """Answers kept for `seconds` (0 keeps none), at most `max_bytes` of bodies in all, none larger than
    `max_body`. `clear()` forgets every answer, and any that was being learned while it ran."""

    seconds: float
    max_bytes: int
    max_body: int
    clock: Callable[[], float] = time.monotonic
    _answers: dict[CacheKey, Answer] = field(default_factory=dict, repr=False)
    _bytes: int = 0
    _renewing: set[CacheKey] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    generation: int = 0
    """How many times the cache was cleared: an answer learned across a clear is not kept."""
    served: int = 0
    """How many requests were answered from the cache."""

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: CacheKey) -> Answer | None:
        answer = self._answers.get(key)
        return answer if answer is not None and answer.expires > self.clock() else None

    def claims_renewal(self, key: CacheKey, until: float) -> bool:
        """Whether this request renews the answer kept under `key` (valid `until`) through the full route:
        in the last quarter of its life, one request at a time; the others are answered from it until it
        expires, so that a busy answer is renewed before it expires rather than by every request at once."""
        if until - self.clock() > self.seconds / 4 or key in self._renewing:
            return False
        self._renewing.add(key)
        return True

    def renewed(self, key: CacheKey) -> None:
        self._renewing.discard(key)

    def keeps(self, size: int) -> bool:
        return self.enabled and size <= min(self.max_body, self.max_bytes)

    def put(self, key: CacheKey, answer: Answer, generation: int) -> None:
        with self._lock:
            if generation != self.generation or not self.keeps(len(answer.body)):
                return
            old = self._answers.pop(key, None)
            self._bytes -= len(old.body) if old is not None else 0
            if self._bytes + len(answer.body) > self.max_bytes:
                now = self.clock()
                self._answers = {k: a for k, a in self._answers.items() if a.expires > now}
                self._bytes = sum(len(a.body) for a in self._answers.values())
                if self._bytes + len(answer.body) > self.max_bytes:
                    self._answers.clear()
                    self._bytes = 0
            self._answers[key] = answer
            self._bytes += len(answer.body)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._answers.clear()
            self._bytes = 0


@dataclass(frozen=True)
class Asker:
    """Who asks, known without the database, until when that holds, and the key they presented (None for
    the anonymous reader of a public archive)."""

    principal: Principal
    until: float
    presented: str | None


class FastReads:
    """The ASGI layer; see the module's documentation."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ReadCache,
        keys: KeyCache,
        public_read: bool,
        new_uow: Callable[[], UnitOfWork],
    ) -> None:
        self.app = app
        self.cache = cache
        self.keys = keys
        self.public_read = public_read
        self.new_uow = new_uow

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._hot(scope):
            await self._pass(scope, receive, send)
            return
        found = self.answerable(scope)
        answer = self.cache.get(found[0]) if found is not None else None
        if found is None or answer is None:
            await self._learn(scope, receive, send)
            return
        key, asker = found
        if self.cache.claims_renewal(key, min(answer.expires, asker.until)):
            try:
                await self._renew(asker, scope, receive, send)
            finally:
                self.cache.renewed(key)
        elif not await self._answer(answer, scope, send):
            await self._learn(scope, receive, send)

    def _hot(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope["query_string"]
            and self.cache.enabled
            and _HOT_PATH.match(scope["path"]) is not None
        )

    def answerable(self, scope: Scope) -> tuple[CacheKey, Asker] | None:
        """The key a request's answer is kept under, and who asks, or None when this layer must not answer
        it: the one place that decides (a further access check belongs here)."""
        if not self._hot(scope):
            return None
        asker = self._asker(_header(scope, b"authorization"))
        if asker is None or not asker.principal.role.includes(Role.READER):
            return None
        return (scope["path"], asker.principal), asker

    def _asker(self, authorization: str | None) -> Asker | None:
        """Who asks, if that is known without the database: no key where the archive is public, or a key
        found valid within the key cache's bound; None leaves the request to the full route."""
        if authorization is None:
            return Asker(ANONYMOUS_READER, math.inf, None) if self.public_read else None
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return None
        cached = self.keys.cached(credentials.strip())
        return Asker(cached[0], cached[1], credentials.strip()) if cached is not None else None

    async def _renew(self, asker: Asker, scope: Scope, receive: Receive, send: Send) -> None:
        """The key checked again (in a worker thread), then the full route answers and is learned anew."""
        if asker.presented is not None:
            # A revoked key or a database away: the full route answers as it must.
            with contextlib.suppress(ArchiveError):
                await anyio.to_thread.run_sync(self.keys.renew, self.new_uow(), asker.presented)
        await self._learn(scope, receive, send)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The full app; a request that may write empties the cache once it is answered."""
        if scope["type"] != "http" or scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.cache.clear()

    async def _answer(self, answer: Answer, scope: Scope, send: Send) -> bool:
        """Send the kept answer as the route would negotiate it; False (nothing sent) for a range the
        route answers with a 416."""
        try:
            negotiated = negotiate(lambda name: _header(scope, name.encode()), answer.etag, len(answer.body))
        except UnsatisfiableRange:
            return False
        headers, body = answer.headers, answer.body
        if negotiated.status == 304:
            headers, body = [(k, v) for k, v in headers if k not in _WITHOUT_BODY], b""
        elif negotiated.byte_range is not None:
            byte_range = negotiated.byte_range
            body = body[byte_range.start : byte_range.end + 1]
            headers = [
                *((k, v) for k, v in headers if k != b"content-length"),
                (b"content-range", content_range(byte_range, len(answer.body)).encode()),
                (b"content-length", str(len(body)).encode()),
            ]
        scope["route"] = answer.route
        self.cache.served += 1
        await send({"type": "http.response.start", "status": negotiated.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _learn(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The full route answers; a plain 200 with its whole body in one message is kept (for the
        principal the route found, known now without the database). Nothing of a streamed answer is
        held: once a second body message comes, what was collected is dropped."""
        generation, expires = self.cache.generation, self.cache.clock() + self.cache.seconds
        plain = all(_header(scope, name) is None for name in (b"range", b"if-range", b"if-none-match"))
        sent: list[Message] = []
        status: list[int] = []
        keeping = [plain]

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            if keeping[0] and len(sent) < 2 and not message.get("more_body", False):
                sent.append({**message, "headers": list(message.get("headers", []))})  # as the route sent it
            else:
                keeping[0] = False
                sent.clear()
            await send(message)

        await self.app(scope, receive, send_and_keep)
        if status and status[0] >= 500:
            self.cache.clear()  # a blob found corrupt or missing: forget what was learned of it
        answer = _kept_answer(sent, scope, expires) if status == [200] else None
        found = self.answerable(scope) if answer is not None else None
        if answer is not None and found is not None:
            self.cache.put(found[0], answer, generation)


def _kept_answer(sent: list[Message], scope: Scope, expires: float) -> Answer | None:
    """The answer in `sent` when it is one start and one complete body of the length it declares."""
    if len(sent) != 2 or sent[0]["type"] != "http.response.start" or sent[1]["type"] != "http.response.body":
        return None
    headers: RawHeaders = list(sent[0].get("headers", []))
    body = bytes(sent[1].get("body", b""))
    found = dict(headers)
    etag, length = found.get(b"etag"), found.get(b"content-length")
    if etag is None or length != str(len(body)).encode():
        return None
    return Answer(headers, body, etag.decode("latin-1"), scope.get("route"), expires)


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (by lower-case name), as Starlette's `Headers.get` reads it."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
