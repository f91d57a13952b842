"""Fetching a page for a capture: httpx over a connection that goes only where the guard allows.

Every connection the HTTP client opens goes through `GuardedBackend.connect_tcp`: the host is resolved by
the archive's own resolver, every address it answers is checked, and the socket is connected to the checked
address (TLS still names the host), so no second lookup can switch it (DNS rebinding). Redirects are
followed here, at most five, each hop's URL checked again before it is asked and its connection guarded.
The client ignores proxy variables (`trust_env=False`), the body is capped, and the whole fetch has a
deadline, checked between reads so that a server that trickles bytes cannot hold it.
"""

from __future__ import annotations

import email.utils
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import httpcore2
import httpx2
from httpcore2._backends.base import NetworkBackend, NetworkStream
from httpcore2._backends.sync import SyncBackend
from httpcore2._types import SOCKET_OPTION

from archive.capture.guard import AddressPolicy, Resolver, check_url
from archive.digests import SpooledUpload, UploadSpool
from archive.errors import ArchiveError, FetchFailed

MAX_REDIRECTS = 5
REDIRECT_BODY_BYTES = 64 * 1024
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
RETRY_LATER_STATUSES = (429, 503)
MAX_RETRY_AFTER_SECONDS = 86_400.0


class GuardedBackend(NetworkBackend):
    """A network backend that connects only to addresses the policy allows, found by the archive's own
    resolver; `connector` opens the socket (the system's, or in tests one that fails the test)."""

    def __init__(
        self, policy: AddressPolicy, resolver: Resolver, connector: NetworkBackend | None = None
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.connector = connector or SyncBackend()
        self.peers: dict[tuple[str, int], str] = {}

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> NetworkStream:
        address = self.policy.resolve(f"//{host}:{port}", host, self.resolver)
        self.peers[(host, port)] = str(address)
        return self.connector.connect_tcp(str(address), port, timeout, local_address, socket_options)

    def connect_unix_socket(self, *args: object, **kwargs: object) -> NetworkStream:
        raise FetchFailed("captures never connect to a local socket")


@dataclass(frozen=True)
class Head:
    """A request's or response's first line parts and its headers as sent or received."""

    line: str
    headers: list[tuple[str, str]]


@dataclass
class Hop:
    """One request and its answer: the target URL, the address connected to, and the raw body."""

    url: str
    peer: str | None
    request: Head
    response: Head
    status: int
    raw: SpooledUpload
    started_at: datetime


@dataclass
class Exchange:
    """A fetched page: every hop (redirects first), and the final body as the archive keeps it (decoded
    from its content coding, when the publisher used one)."""

    url: str
    hops: list[Hop]
    body: SpooledUpload
    media_type: str

    @property
    def final(self) -> Hop:
        return self.hops[-1]

    def discard(self) -> None:
        for spooled in {id(s): s for s in [self.body, *(hop.raw for hop in self.hops)]}.values():
            spooled.discard()


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    timeout: float
    user_agent: str


class Fetcher:
    """Fetches pages for captures through the guard; one client per fetch, so nothing is shared."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        limits: FetchLimits,
        spool_dir: Path | None = None,
        connector: NetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.limits = limits
        self.spool_dir = spool_dir
        self.connector = connector

    def check(self, url: str) -> None:
        """What the URL alone decides (`CaptureRefused`), before anything is queued."""
        check_url(url, self.policy)

    def fetch(self, url: str) -> Exchange:
        """Fetch `url`, following redirects; `CaptureRefused` or `FetchFailed` when it cannot."""
        deadline = time.monotonic() + self.limits.timeout
        backend = GuardedBackend(self.policy, self.resolver, self.connector)
        hops: list[Hop] = []
        try:
            with self._client(backend) as client:
                target = url
                while True:
                    check_url(target, self.policy)
                    hop = self._ask(client, backend, target, deadline, final=len(hops) == MAX_REDIRECTS)
                    hops.append(hop)
                    location = _redirect_target(hop)
                    if location is None:
                        break
                    if len(hops) > MAX_REDIRECTS:
                        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")
                    target = location
            return self._finish(url, hops)
        except BaseException:
            for hop in hops:
                hop.raw.discard()
            raise

    def _client(self, backend: GuardedBackend) -> httpx2.Client:
        transport = httpx2.HTTPTransport(trust_env=False)
        transport._pool = httpcore2.ConnectionPool(
            ssl_context=ssl.create_default_context(), network_backend=backend, max_connections=1
        )
        timeout = httpx2.Timeout(self.limits.timeout, connect=min(10.0, self.limits.timeout))
        return httpx2.Client(transport=transport, trust_env=False, timeout=timeout, follow_redirects=False)

    def _ask(
        self, client: httpx2.Client, backend: GuardedBackend, url: str, deadline: float, *, final: bool
    ) -> Hop:
        headers = {"User-Agent": self.limits.user_agent, "Accept-Encoding": "gzip, deflate, identity"}
        started = datetime.now(UTC)
        try:
            request = client.build_request("GET", url, headers=headers)
            response = client.send(request, stream=True)
        except ArchiveError:
            raise
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:  # a redirect may name a host no URL can hold
            raise FetchFailed(f"{url} could not be fetched: {_plain(exc)}") from exc
        try:
            redirect = response.status_code in REDIRECT_STATUSES and not final
            limit = REDIRECT_BODY_BYTES if redirect else self.limits.max_bytes
            raw = self._read(response, limit, deadline)
        finally:
            response.close()
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        return Hop(
            url=url,
            peer=backend.peers.get((request.url.host, port)),
            request=_request_head(request),
            response=_response_head(response),
            status=response.status_code,
            raw=raw,
            started_at=started,
        )

    def _read(self, response: httpx2.Response, limit: int, deadline: float) -> SpooledUpload:
        with UploadSpool(self.spool_dir, None) as spool:
            try:
                for chunk in response.iter_raw():
                    if spool.size + len(chunk) > limit:
                        raise FetchFailed(f"the page is larger than the limit of {limit} bytes")
                    spool.write(chunk)
                    if time.monotonic() > deadline:
                        raise FetchFailed(f"the page took longer than {self.limits.timeout:g} seconds")
            except httpx2.HTTPError as exc:
                raise FetchFailed(f"the page could not be read: {_plain(exc)}") from exc
            return spool.finish()

    def _finish(self, url: str, hops: list[Hop]) -> Exchange:
        final = hops[-1]
        if final.status in RETRY_LATER_STATUSES:
            raise FetchFailed(
                f"the publisher answered {final.status}: asked to come back later",
                retry_after=retry_after(final.response.headers),
                http_status=final.status,
            )
        if not 200 <= final.status < 300:
            answered = final.response.line.split(" ", 1)[-1]
            raise FetchFailed(f"the publisher answered {answered}", http_status=final.status)
        if final.raw.digests.size == 0:
            raise FetchFailed("the page is empty: an archived document must have content")
        body = self._decoded(final)
        return Exchange(url=url, hops=hops, body=body, media_type=_media_type(final.response.headers))

    def _decoded(self, hop: Hop) -> SpooledUpload:
        coding = _header(hop.response.headers, "content-encoding") or "identity"
        codings = [c.strip().lower() for c in coding.split(",") if c.strip()]
        if codings in ([], ["identity"]):
            return hop.raw
        if codings not in (["gzip"], ["x-gzip"], ["deflate"]):
            raise FetchFailed(f"the page came in a content coding the archive does not read ({coding})")
        wbits = 16 + zlib.MAX_WBITS if codings[0] != "deflate" else zlib.MAX_WBITS
        inflater = zlib.decompressobj(wbits)
        with UploadSpool(self.spool_dir, None) as spool, hop.raw.open() as raw:
            try:
                while chunk := raw.read(64 * 1024):
                    spool.write(inflater.decompress(chunk, self.limits.max_bytes - spool.size + 1))
                    if spool.size > self.limits.max_bytes or inflater.unconsumed_tail:
                        raise FetchFailed(
                            f"the page is larger than the limit of {self.limits.max_bytes} bytes"
                        )
                spool.write(inflater.flush())
            except zlib.error as exc:
                raise FetchFailed(f"the page's {coding} coding is damaged ({exc})") from exc
            return spool.finish()


def retry_after(headers: list[tuple[str, str]]) -> float | None:
    """Seconds to wait that a `Retry-After` header asks for (a number or an HTTP date), bounded to a day."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER_SECONDS)


def _redirect_target(hop: Hop) -> str | None:
    if hop.status not in REDIRECT_STATUSES:
        return None
    location = _header(hop.response.headers, "location")
    if not location:
        return None
    return urljoin(hop.url, location.strip())


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _media_type(headers: list[tuple[str, str]]) -> str:
    value = _header(headers, "content-type")
    return value.strip() if value and value.strip() else "application/octet-stream"


def _request_head(request: httpx2.Request) -> Head:
    target = request.url.raw_path.decode("ascii")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    return Head(f"GET {target} HTTP/1.1", headers)


def _response_head(response: httpx2.Response) -> Head:
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    return Head(f"{response.http_version} {response.status_code} {response.reason_phrase}", headers)


def _plain(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
