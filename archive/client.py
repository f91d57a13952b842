"""A small typed, synchronous client for the archive's HTTP API (httpx2).

    with ArchiveClient("http://127.0.0.1:8000", key) as archive:
        version = archive.upload(Path("article.txt"), metadata={"title": "…"})
        archive.fetch(version["document_id"], to=Path("copy.txt"))

Every call is retried with exponential backoff (honouring `Retry-After`, capped) on 503 and on connection
errors, at most `retries` attempts in all. Uploads are retried too: each carries an `Idempotency-Key` (a
fresh uuid4 unless given), so a retry gets the first answer back, and a file is reopened for each attempt.
Downloads are hashed with BLAKE3 as they arrive and checked against the expected digest before anything is
handed over: a mismatch raises `IntegrityError` and leaves nothing partial behind.
"""

from __future__ import annotations

import email.utils
import json
import mimetypes
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO, Self, TypeVar, cast
from urllib.parse import quote

import blake3 as blake3_lib
import httpx2
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

# --- errors -------------------------------------------------------------------------------------------------


class ArchiveClientError(Exception):
    """A refusal or failure; `status` is the HTTP status (None when no answer came), `problem` the RFC 9457
    problem details the server sent (empty when it sent none)."""

    def __init__(self, message: str, *, status: int | None = None, problem: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.problem: dict[str, Any] = problem or {}


class NotFound(ArchiveClientError):
    """404: no such document, version or blob."""


class Unauthorized(ArchiveClientError):
    """401: no key, or a malformed, unknown or revoked key."""


class Forbidden(ArchiveClientError):
    """403: the key's role does not allow this."""


class IntegrityError(ArchiveClientError):
    """The bytes received do not match their digest (or the server said its stored bytes are bad: 502)."""


class Unavailable(ArchiveClientError):
    """503 (the database or storage is down), or no connection: still so after every retry."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        problem: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, status=status, problem=problem)
        self.retry_after = retry_after


# --- the client ---------------------------------------------------------------------------------------------

CHUNK_SIZE = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
T = TypeVar("T")
Target = Path | BinaryIO


class ArchiveClient:
    """`ArchiveClient(base_url, key)`; a context manager (or call `close()`). `backoff` is the first retry's
    wait in seconds, doubled for each next one, and `max_backoff` caps it and any `Retry-After`."""

    def __init__(
        self,
        base_url: str,
        key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        transport: httpx2.BaseTransport | None = None,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx2.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self.retries = max(1, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- uploads and verification ---

    def upload(
        self,
        path_or_bytes: str | os.PathLike[str] | bytes | IO[bytes],
        *,
        filename: str | None = None,
        media_type: str | None = None,
        metadata: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Archive a file (streamed from disk; a path, or a file open for reading, sent from its start) or
        bytes as a new document or version; the version JSON."""
        if filename is None:
            named = isinstance(path_or_bytes, str | os.PathLike)
            filename = Path(path_or_bytes).name if named else "document"  # type: ignore[arg-type]
        if media_type is None:
            media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        extra: list[tuple[str, Any]] = []
        if metadata is not None:
            extra.append(("metadata", (None, json.dumps(metadata), "application/json")))

        def attempt() -> dict[str, Any]:
            with _opened(path_or_bytes) as body:
                files = [("file", (filename, body, media_type)), *extra]
                response = self._http.post("/v1/documents", files=files, headers=headers)
            return _json_object(_checked(response))

        return self._retrying(attempt)

    def verify_file(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Whether these exact bytes are archived, which versions hold them, and their last fixity check."""
        name = Path(path).name

        def attempt() -> dict[str, Any]:
            with Path(path).open("rb") as body:
                files = {"file": (name, body, "application/octet-stream")}
                return _json_object(_checked(self._http.post("/v1/verify", files=files)))

        return self._retrying(attempt)

    def verify_digest(self, blake3: str | None = None, sha256: str | None = None) -> dict[str, Any]:
        """The same, by one digest (exactly one of the two)."""
        if (blake3 is None) == (sha256 is None):
            raise ValueError("give exactly one of blake3 and sha256")
        body = {"blake3": blake3} if blake3 is not None else {"sha256": sha256}
        return self._retrying(lambda: _json_object(_checked(self._http.post("/v1/verify", json=body))))

    # --- reads ---

    def document(self, document_id: str) -> dict[str, Any]:
        """The document with its latest version (`latest`)."""
        return self._get_json(f"/v1/documents/{_seg(document_id)}")

    def versions(self, document_id: str) -> list[dict[str, Any]]:
        """Every version, oldest first."""
        listing = self._get_json(f"/v1/documents/{_seg(document_id)}/versions")
        return cast(list[dict[str, Any]], listing["versions"])

    history = versions

    def version(self, document_id: str, number: int) -> dict[str, Any]:
        return self._get_json(f"/v1/documents/{_seg(document_id)}/versions/{int(number)}")

    def receipt(self, document_id: str, number: int) -> dict[str, Any]:
        """`{"entry", "index", "inclusion", "checkpoint"}`, verifiable offline."""
        return self._get_json(f"/v1/documents/{_seg(document_id)}/versions/{int(number)}/receipt")

    def fetch(self, document_id: str, *, version: int | None = None, to: Target) -> str:
        """Stream a document's latest bytes (or a version's) into `to`, checked against their BLAKE3; the
        BLAKE3. Nothing is written to `to` unless the digest matched."""
        base = f"/v1/documents/{_seg(document_id)}"
        url = f"{base}/content" if version is None else f"{base}/versions/{int(version)}/content"

        def expected() -> str:
            # Only when the server sent no ETag: the version's own digest.
            described = self.document(document_id)["latest"] if version is None else None
            return str((described or self.version(document_id, cast(int, version)))["blake3"])

        return self._download(url, to, expected)

    def fetch_blob(self, blake3: str, to: Target) -> str:
        """Stream a blob by its BLAKE3 into `to`, checked against that digest; the BLAKE3."""
        return self._download(f"/v1/blobs/{_seg(blake3)}", to, lambda: blake3, known=blake3)

    # --- the machinery ---

    def _get_json(self, url: str) -> dict[str, Any]:
        return self._retrying(lambda: _json_object(_checked(self._http.get(url))))

    def _retrying(self, attempt: Callable[[], T]) -> T:
        retrying = Retrying(
            stop=stop_after_attempt(self.retries),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            sleep=time.sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except httpx2.TransportError as exc:
            raise Unavailable(f"no answer from the archive: {exc!r}") from exc

    def _wait(self, state: RetryCallState) -> float:
        wait = self.backoff * 2.0 ** (state.attempt_number - 1)
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, Unavailable) and exc.retry_after is not None:
            wait = max(wait, exc.retry_after)
        return min(wait, self.max_backoff)

    def _download(self, url: str, to: Target, expected: Callable[[], str], known: str | None = None) -> str:
        def attempt() -> str:
            with self._http.stream("GET", url) as response:
                _checked(response)
                want = _etag(response) or known or expected()
                if known is not None and want != known:
                    raise IntegrityError(f"{url}: the server sent ETag {want}, not {known}", status=None)
                return write_checked(response.iter_bytes(CHUNK_SIZE), want, to, source=url)

        return self._retrying(attempt)


def write_checked(chunks: Iterable[bytes], want: str, to: Target, *, source: str = "the blob") -> str:
    """Write the chunks to `to`, hashing them on the way; `IntegrityError`, and nothing written, unless
    their BLAKE3 is `want`."""
    with _staged(to) as sink:
        hasher = blake3_lib.blake3()
        for chunk in chunks:
            hasher.update(chunk)
            sink.write(chunk)
        got = hasher.hexdigest()
        if got != want:
            raise IntegrityError(f"{source}: the bytes have BLAKE3 {got}, expected {want}")
        return got


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, Unavailable | httpx2.TransportError)


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _etag(response: httpx2.Response) -> str | None:
    tag = response.headers.get("ETag", "").removeprefix("W/").strip('"').lower()
    return tag if len(tag) == 64 and all(c in "0123456789abcdef" for c in tag) else None


@contextmanager
def _opened(source: str | os.PathLike[str] | bytes | IO[bytes]) -> Iterator[bytes | IO[bytes]]:
    """The upload's body for one attempt: the bytes, an open file from its start (the caller's, left
    open), or the file opened afresh (httpx2 streams it)."""
    if isinstance(source, bytes):
        yield source
    elif isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as stream:
            yield stream
    else:
        source.seek(0)
        yield source


@contextmanager
def _staged(to: Target) -> Iterator[IO[bytes]]:
    """A sink that reaches `to` only when the block finishes without error: for a path, a temporary file
    beside it renamed into place; for a stream, a spooled buffer copied into it."""
    if isinstance(to, str | os.PathLike):
        target = Path(to)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as part:
                yield part
            Path(name).replace(target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    else:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            yield cast(IO[bytes], spool)
            spool.seek(0)
            shutil.copyfileobj(spool, to, CHUNK_SIZE)


def _json_object(response: httpx2.Response) -> dict[str, Any]:
    return cast(dict[str, Any], response.json())


def _checked(response: httpx2.Response) -> httpx2.Response:
    """The response when it succeeded, else the error it maps to (reading the problem details)."""
    if response.status_code < 400:
        return response
    response.read()
    problem: dict[str, Any] = {}
    try:
        body = response.json()
        if isinstance(body, dict):
            problem = body
    except ValueError:
        pass
    status = response.status_code
    message = f"{status} {problem.get('title') or response.reason_phrase}: {problem.get('detail') or ''}"
    message = message.rstrip(": ")
    if status == 503:
        after = _retry_after(response.headers.get("Retry-After"))
        raise Unavailable(message, status=status, problem=problem, retry_after=after)
    kind = {401: Unauthorized, 403: Forbidden, 404: NotFound, 502: IntegrityError}.get(
        status, ArchiveClientError
    )
    raise kind(message, status=status, problem=problem)


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
