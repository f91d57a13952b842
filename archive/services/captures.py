"""Capture by URL: an archivist names a page once; a job fetches it, stores its body as a version exactly
as an upload would be (through `archive_upload`), and its whole exchange as a WARC, a blob of its own.

The capture row is the durable record: it is written, and its job queued, in one transaction; the job
claims it (`queued`/`running` → `running`), and the version, the WARC's row and the capture's `done` are
committed together, so a job run twice (its worker killed mid-capture) archives the page once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ulid import ULID

from archive.capture import Exchange, Fetcher
from archive.capture.warc import WARC_MEDIA_TYPE, write_warc
from archive.db.capture_models import Capture
from archive.db.models import Blob, Version, utcnow
from archive.domain.media_types import OCTET_STREAM, infer_media_type
from archive.errors import (
    ArchiveError,
    CaptureNotFound,
    CaptureRefused,
    DocumentNotFound,
    FetchFailed,
    InvalidInput,
    NotFound,
)
from archive.services.idempotency import Once
from archive.services.ingest import IngestResult, Upload, store_blob
from archive.services.job_queue import JobQueue
from archive.services.metadata import SuppliedMetadata
from archive.services.unit_of_work import SqlUnitOfWork
from archive.services.uploads import archive_upload

CAPTURE_TASK = "capture"
# A capture the publisher asks to come back to later (429 or 503 with Retry-After) is tried this often.
MAX_CAPTURE_ATTEMPTS = 3
MAX_WAIT_FOR_RETRY = timedelta(minutes=10)


def new_id() -> str:
    return str(ULID())


def host_lock(url: str) -> str:
    """The job lock of a URL's host: jobs that fetch from one host run one at a time."""
    return f"host:{(urlsplit(url).hostname or '').lower()}"


def request_capture(
    uow: SqlUnitOfWork,
    jobs: JobQueue,
    fetcher: Fetcher,
    *,
    url: str,
    document_id: str | None,
    note: str | None,
    actor: str,
) -> Capture:
    """A queued capture and its job, in one transaction. A URL refused by what it says alone is a
    `CaptureRefused` here; one refused once its name is resolved fails its capture with the reason."""
    fetcher.check(url)
    with uow.writing():
        if document_id is not None and uow.documents.get(document_id) is None:
            raise DocumentNotFound(document_id)
        capture = Capture(
            id=new_id(),
            url=url,
            status="queued",
            note=note,
            document_id=document_id,
            requested_by=actor,
            requested_at=utcnow(),
            attempts=0,
        )
        uow.captures.add(capture)
        queue_capture(uow, jobs, capture)
    return capture


def queue_capture(uow: SqlUnitOfWork, jobs: JobQueue, capture: Capture, **schedule: Any) -> None:
    jobs.defer(
        uow,
        CAPTURE_TASK,
        lock=host_lock(capture.url),
        queueing_lock=f"capture:{capture.id}",
        capture_id=capture.id,
        **schedule,
    )


def get_capture(uow: SqlUnitOfWork, capture_id: str) -> Capture:
    capture = uow.captures.capture(capture_id)
    if capture is None:
        raise CaptureNotFound(capture_id)
    return capture


def warc_of(uow: SqlUnitOfWork, capture_id: str) -> str:
    """The BLAKE3 of a capture's WARC; `NotFound` while it has none (not done)."""
    capture = get_capture(uow, capture_id)
    if capture.warc_blake3 is None:
        raise NotFound(f"capture {capture_id} has no WARC: it is {capture.status}", capture_id=capture_id)
    return capture.warc_blake3


def run_capture(uow: SqlUnitOfWork, jobs: JobQueue, fetcher: Fetcher, capture_id: str) -> None:
    """The job: claim the capture, fetch its page, archive it; or record why it failed (or, when the
    publisher asked, queue it again for later)."""
    with uow.writing():
        capture = uow.captures.claim(capture_id)
        if capture is None:
            return  # done or failed already: a job run twice does nothing the second time
        url, attempts = capture.url, capture.attempts
        target = Target(capture.document_id, capture.note, capture.requested_by, f"capture:{capture.id}")
    try:
        exchange = fetcher.fetch(url)
    except (CaptureRefused, FetchFailed) as exc:
        _not_fetched(uow, jobs, capture_id, exc, attempts)
        return
    try:
        archive_exchange(
            uow, exchange, target, lambda result, warc: _done(uow, capture_id, exchange, result, warc)
        )
    except ArchiveError as exc:
        _finish(uow, capture_id, status="failed", error=f"the page could not be archived: {exc.detail}")
    finally:
        exchange.discard()


@dataclass(frozen=True)
class Target:
    """Where a fetched page goes: its document (None: by its URL, else a new one), the version's note, who
    asked, and the key that makes archiving it happen once."""

    document_id: str | None
    note: str | None
    actor: str
    once_key: str


def archive_exchange(
    uow: SqlUnitOfWork, exchange: Exchange, target: Target, then: Callable[[IngestResult, Blob], None]
) -> None:
    """Store the exchange's WARC (blob first), then archive its body as an upload is archived; `then` runs
    in the transaction that records the version, with the version and the WARC's blob row."""
    warc = write_warc(exchange, exchange.body.digests, uow.spool_dir)
    try:
        uow.store.put_if_absent(warc, WARC_MEDIA_TYPE)
        name = PurePosixPath(urlsplit(exchange.final.url).path).name or None
        upload = Upload(
            exchange.body,
            _media_type(exchange.media_type, name),
            name,
            SuppliedMetadata(source_url=exchange.url, note=target.note),
            target.actor,
            target.document_id,
        )

        def recorded(result: IngestResult) -> None:
            then(result, store_blob(uow, warc, WARC_MEDIA_TYPE))

        once = Once(target.actor, target.once_key, target.once_key)
        archive_upload(uow, upload, once=once, render=_render, then=recorded)
    except ValueError as exc:  # metadata the page's URL cannot be (pydantic's refusal)
        raise InvalidInput(f"the page's URL cannot be its source_url ({exc})") from exc
    finally:
        warc.discard()


def _render(version: Version) -> dict[str, Any]:
    return {"document_id": version.document_id, "version": version.number}


def _media_type(declared: str, filename: str | None) -> str:
    try:
        return infer_media_type(declared, filename)
    except InvalidInput:
        return OCTET_STREAM


def _done(uow: SqlUnitOfWork, capture_id: str, exchange: Exchange, result: IngestResult, warc: Blob) -> None:
    capture = uow.captures.capture(capture_id)
    assert capture is not None
    capture.status = "done"
    capture.error = None
    capture.document_id = result.version.document_id
    capture.version = result.version.number
    capture.final_url = exchange.final.url
    capture.http_status = exchange.final.status
    capture.warc_blake3 = warc.blake3
    capture.finished_at = utcnow()


def _not_fetched(
    uow: SqlUnitOfWork, jobs: JobQueue, capture_id: str, exc: ArchiveError, attempts: int
) -> None:
    wait = getattr(exc, "retry_after", None)
    if wait is not None and attempts < MAX_CAPTURE_ATTEMPTS and timedelta(seconds=wait) <= MAX_WAIT_FOR_RETRY:
        with uow.writing():
            capture = uow.captures.capture(capture_id)
            assert capture is not None
            capture.status = "queued"
            capture.error = f"{exc.detail}; tried again in {wait:g} seconds"
            queue_capture(uow, jobs, capture, schedule_at=utcnow() + timedelta(seconds=wait))
        return
    _finish(uow, capture_id, status="failed", error=exc.detail, http_status=getattr(exc, "http_status", None))


def _finish(uow: SqlUnitOfWork, capture_id: str, **values: Any) -> None:
    with uow.writing():
        capture = uow.captures.capture(capture_id)
        assert capture is not None
        for name, value in values.items():
            setattr(capture, name, value)
        capture.finished_at = utcnow()


def requeue_captures(uow: SqlUnitOfWork, jobs: JobQueue, *, requested_before: datetime | None = None) -> int:
    """Queue again the captures whose job may be lost (every unfinished one at a start of the embedded
    deployment; on PostgreSQL, those still queued long after they were asked for); how many."""
    with uow.writing():
        captures = uow.captures.unfinished_captures(requested_before)
        for capture in captures:
            queue_capture(uow, jobs, capture)
        return len(captures)
