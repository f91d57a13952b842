"""The HTTP/1.1 connection as `archive serve` runs it: uvicorn's httptools protocol with the bounds it lacks.

httptools puts no limit on a request's headers, and the cost of one huge header grows with the square of
its size (a 128 MiB header stalled every other request for seconds); nor does uvicorn bound how long a
client may take to send its headers or let its body stall. This protocol keeps httptools' speed and adds,
per request:

- at most `max_header_bytes` of request line and headers, and at most `max_headers` header fields:
  beyond either, 431 and the connection closed, before the parser buffers any more;
- the headers complete within `header_timeout` seconds of the request's first byte (or of the
  connection, for the first request): otherwise 408 and the connection closed;
- a body that stalls for `body_timeout` seconds is cut off: 408 if no response has started, and the
  connection closed either way, so the application sees the client gone and removes what it spooled
  (unless the server is why nothing comes: reading paused, or a 100 Continue not yet sent);
- chunk headers and trailers, which httptools buffers the same way, bounded like headers.

The bounds come from the settings (`ARCHIVE_MAX_HEADER_BYTES`, `ARCHIVE_MAX_HEADERS`,
`ARCHIVE_HEADER_TIMEOUT_SECONDS`, `ARCHIVE_BODY_TIMEOUT_SECONDS`), read once per server process: uvicorn
hands worker processes the class by name, so it is a plain module-level class.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from archive.config import Settings, load_settings


@dataclass(frozen=True)
class Bounds:
    max_header_bytes: int
    max_headers: int
    header_timeout: float
    body_timeout: float

    @classmethod
    def of(cls, settings: Settings) -> Bounds:
        return cls(
            settings.max_header_bytes,
            settings.max_headers,
            settings.header_timeout_seconds,
            settings.body_timeout_seconds,
        )


@cache
def process_bounds() -> Bounds:
    """The bounds of this server process, from its settings (loaded once)."""
    return Bounds.of(load_settings())


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bounds = process_bounds()
        self.max_header_bytes = bounds.max_header_bytes
        self.max_headers = bounds.max_headers
        self.header_timeout = bounds.header_timeout
        self.body_timeout = bounds.body_timeout
        self._in_headers = True  # reading a request line and headers (no request yet counts as one)
        self._header_bytes = 0
        self._header_tail = b""  # the last bytes of the headers read so far, where "\r\n\r\n" may start
        self._header_count = 0
        self._in_body = False  # between a request's headers and its end
        self._body_seen = False  # whether the bytes being parsed held body data
        self._since_body = 0  # bytes read since the last body data: chunk headers and trailers
        self._refused = False
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_headers and self._over_header_limit(data):
            self._refuse(431, "the request's headers are over the limit", in_body=False)
            return
        self._body_seen = False
        super().data_received(data)  # a refusal from a callback comes back as a parser error: ignored
        if self._refused:
            return
        if self._in_body and not self._body_seen:
            # Chunk headers or trailers, which httptools buffers (quadratically) like headers.
            self._since_body += len(data)
            if self._since_body > self.max_header_bytes:
                self._refuse(431, "the request's chunk headers or trailers are over the limit", in_body=True)
                return
        if self._body_timer is not None:
            self._arm_body_timer()  # bytes of the body came: the stall clock starts again

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # not after a 431 or 408 of this protocol's own
            super().send_400_response(msg)

    # Parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_count = 0
        if self._header_timer is None:
            self._arm_header_timer()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.max_headers:  # trailers are counted apart, from zero
            self._refuse(431, "the request has too many header fields", in_body=self._in_body)
            raise ConnectionAbortedError("refused")  # stop the parser; httptools reports it as an error
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        self._header_tail = b""
        self._header_count = 0
        self._cancel_header_timer()
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.more_body and not self.parser.should_upgrade():
            self._in_body = True
            self._since_body = 0
            self._arm_body_timer()

    def on_body(self, body: bytes) -> None:
        self._body_seen = True
        self._since_body = 0
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._cancel_body_timer()
        self._in_body = False
        # What comes next on this connection is another request, whether or not this one's response
        # is done (an early 401 or 413 is answered before the body ends).
        self._in_headers = True
        self._header_bytes = 0
        self._header_tail = b""
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.cycle is not None and self.cycle.response_complete and self._in_body:
            self._cancel_body_timer()  # answered before its body ended: the body no longer matters

    # Bounds
    def _over_header_limit(self, data: bytes) -> bool:
        """Whether the headers now exceed the limit: a chunk may hold the end of the headers and the start
        of the body, and only the bytes up to the blank line that ends the headers count."""
        seen = self._header_bytes
        self._header_bytes += len(data)
        if self._header_bytes <= self.max_header_bytes:
            self._header_tail = (self._header_tail + data)[-3:]
            return False
        end = (self._header_tail + data).find(b"\r\n\r\n")
        return end < 0 or seen - len(self._header_tail) + end + 4 > self.max_header_bytes

    def _refuse(self, status: int, message: str, *, in_body: bool) -> None:
        """Answer `status` with a short text and close. A response is written only where it answers the
        request at fault: in the headers, when no earlier response is still being written; in the body,
        when this request's own response has not started."""
        self._cancel_timers()
        self._refused = True
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if in_body:
            may_write = cycle is not None and not cycle.response_started
        else:
            may_write = cycle is None or cycle.response_complete
        if may_write:
            body = message.encode("ascii")
            reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n%s" % (status, reason, len(body), body)
            )
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the application's receive() now says the client is gone
            cycle.message_event.set()
        self.transport.close()

    def _server_is_behind(self) -> bool:
        """The server, not the client, is why nothing arrives: reading is paused (the application has
        not taken what came), or the client waits for the 100 Continue the application has not asked for."""
        if self.flow is not None and self.flow.read_paused:
            return True
        return self.cycle is not None and bool(getattr(self.cycle, "waiting_for_100_continue", False))

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.flow is not None and self.flow.read_paused:
            self._arm_header_timer()  # pipelined: this request is not being read yet
            return
        self._refuse(408, "the request's headers did not arrive in time", in_body=False)

    def _arm_body_timer(self) -> None:
        self._cancel_body_timer()
        self._body_timer = self.loop.call_later(self.body_timeout, self._body_stalled)

    def _body_stalled(self) -> None:
        self._body_timer = None
        if self._server_is_behind():
            self._arm_body_timer()
            return
        self._refuse(408, "the request's body stalled", in_body=True)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _cancel_timers(self) -> None:
        self._cancel_header_timer()
        self._cancel_body_timer()
