"""Watches: a page looked at again every interval, a new version added only when what it says changed.

What a page says is its extracted text and descriptive metadata (title, credits, dates, notices …): an
advert, a clock or a rotating box of related links sits outside the text the extractor reads, so a page
whose only difference is one of those is `unchanged`; a corrected figure in the text is `changed`. Each
look is recorded as a check (unchanged, changed with its version, or failed with why). Failures back off
(the interval doubled per failure in a row, up to a day), a `Retry-After` is honoured, and checks of one
host run one at a time (the job lock of `host_lock`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from archive.capture import Exchange, Fetcher
from archive.db.capture_models import Capture, Watch, WatchCheck
from archive.db.models import utcnow
from archive.errors import ArchiveError, CaptureRefused, FetchFailed, WatchIntervalTooShort, WatchNotFound
from archive.services.attribution import reads_the_same
from archive.services.captures import Target, archive_exchange, host_lock, new_id
from archive.services.ingest import IngestResult, not_read
from archive.services.job_queue import JobQueue
from archive.services.metadata import SuppliedMetadata
from archive.services.unit_of_work import SqlUnitOfWork

WATCH_TASK = "watch.check"
MAX_BACKOFF = timedelta(days=1)


def create_watch(
    uow: SqlUnitOfWork,
    jobs: JobQueue,
    fetcher: Fetcher,
    *,
    url: str,
    interval_seconds: int,
    minimum: int,
    actor: str,
) -> Watch:
    """A watch and its first check (due now), in one transaction."""
    if interval_seconds < minimum:
        raise WatchIntervalTooShort(interval_seconds, minimum)
    fetcher.check(url)
    with uow.writing():
        watch = Watch(
            id=new_id(),
            url=url,
            interval_seconds=interval_seconds,
            next_check_at=utcnow(),
            failures=0,
            created_by=actor,
            created_at=utcnow(),
        )
        uow.captures.add(watch)
        queue_check(uow, jobs, watch)
    return watch


def queue_check(uow: SqlUnitOfWork, jobs: JobQueue, watch: Watch) -> None:
    jobs.defer(
        uow,
        WATCH_TASK,
        lock=host_lock(watch.url),
        queueing_lock=f"watch:{watch.id}",
        schedule_at=watch.next_check_at,
        watch_id=watch.id,
    )


def get_watch(uow: SqlUnitOfWork, watch_id: str) -> Watch:
    watch = uow.captures.watch(watch_id)
    if watch is None:
        raise WatchNotFound(watch_id)
    return watch


def delete_watch(uow: SqlUnitOfWork, watch_id: str) -> None:
    """Stop watching (its checks and versions stay); a check already queued finds it gone."""
    get_watch(uow, watch_id).deleted_at = utcnow()


def check_watch(uow: SqlUnitOfWork, jobs: JobQueue, fetcher: Fetcher, watch_id: str) -> str | None:
    """The job: look at the page once and record what was found; the outcome (None when the watch is
    gone or not due yet, a job run early or twice)."""
    with uow.reading():
        watch = uow.captures.watch(watch_id)
        if watch is None:
            return None
        url, document_id, due = watch.url, watch.document_id, watch.next_check_at
    if due > utcnow() + timedelta(seconds=1):  # a job queued again early: it queues the one that is due
        with uow.writing():
            watch = uow.captures.watch(watch_id)
            if watch is not None:
                queue_check(uow, jobs, watch)
        return None
    try:
        exchange = fetcher.fetch(url)
    except (CaptureRefused, FetchFailed) as exc:
        _record(
            uow, jobs, watch_id, WatchCheck(outcome="failed", error=exc.detail), exc.fields.get("retry_after")
        )
        return "failed"
    try:
        latest = _unchanged_from(uow, document_id, exchange)
        if latest is not None:
            _record(uow, jobs, watch_id, WatchCheck(outcome="unchanged", version=latest))
            return "unchanged"
        return _archive_change(uow, jobs, watch_id, exchange)
    except ArchiveError as exc:
        _record(uow, jobs, watch_id, WatchCheck(outcome="failed", error=f"not archived: {exc.detail}"))
        return "failed"
    finally:
        exchange.discard()


def _archive_change(uow: SqlUnitOfWork, jobs: JobQueue, watch_id: str, exchange: Exchange) -> str:
    capture_id = new_id()
    with uow.reading():
        watch = get_watch(uow, watch_id)
        target = Target(watch.document_id, None, f"watch:{watch_id}", f"watch-capture:{capture_id}")

    def recorded(result: IngestResult, warc: object) -> None:
        version = result.version
        now = utcnow()
        uow.captures.add(
            Capture(
                id=capture_id,
                url=exchange.url,
                status="done",
                document_id=version.document_id,
                version=version.number,
                final_url=exchange.final.url,
                http_status=exchange.final.status,
                warc_blake3=getattr(warc, "blake3", None),
                watch_id=watch_id,
                requested_by=f"watch:{watch_id}",
                requested_at=now,
                started_at=now,
                finished_at=now,
                attempts=1,
            )
        )
        check = WatchCheck(outcome="changed", version=version.number, capture_id=capture_id)
        _record_in(uow, jobs, watch_id, check, None, document_id=version.document_id)

    archive_exchange(uow, exchange, target, recorded)
    return "changed"


def _unchanged_from(uow: SqlUnitOfWork, document_id: str | None, exchange: Exchange) -> int | None:
    """The number of the document's latest version when the page says what it says (None: changed)."""
    if document_id is None:
        return None
    with uow.reading():
        latest = uow.documents.latest_version_of(document_id)
        if latest is None:
            return None
        if latest.blob_blake3 == exchange.body.digests.blake3:
            return latest.number
        media_type = latest.media_type
    extraction = uow.extractor.extract(exchange.body.path, media_type)
    if not_read(extraction) or extraction.text is None:
        return None  # other bytes that could not be read: kept, to be safe
    with uow.reading():
        latest = uow.documents.latest_version_of(document_id)
        assert latest is not None
        same_text = _words(uow.documents.version_text(latest.id)) == _words(extraction.text)
        supplied = SuppliedMetadata.model_validate(latest.supplied)
        if same_text and reads_the_same(latest, supplied, extraction):
            return latest.number
    return None


def _words(text: str | None) -> list[str]:
    return (text or "").split()


def _record(
    uow: SqlUnitOfWork, jobs: JobQueue, watch_id: str, check: WatchCheck, retry_after: float | None = None
) -> None:
    with uow.writing():
        _record_in(uow, jobs, watch_id, check, retry_after)


def _record_in(
    uow: SqlUnitOfWork,
    jobs: JobQueue,
    watch_id: str,
    check: WatchCheck,
    retry_after: float | None,
    *,
    document_id: str | None = None,
) -> None:
    """In the open transaction: the check, when the watch looks next, and the job that will."""
    watch = uow.captures.watch_for_update(watch_id)
    if watch is None:
        return  # deleted while it was being looked at
    now = utcnow()
    check.watch_id = watch_id
    check.checked_at = now
    uow.captures.add(check)
    if document_id is not None:
        watch.document_id = document_id
    watch.failures = watch.failures + 1 if check.outcome == "failed" else 0
    watch.next_check_at = next_check(now, watch.interval_seconds, watch.failures, retry_after)
    queue_check(uow, jobs, watch)


def next_check(now: datetime, interval_seconds: int, failures: int, retry_after: float | None) -> datetime:
    """When to look again: after the interval, doubled for each failure in a row (at most a day, never
    less than the interval), and never before a publisher's `Retry-After`."""
    wait = timedelta(seconds=interval_seconds)
    if failures:
        wait = max(wait, min(wait * 2 ** min(failures, 20), MAX_BACKOFF))
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return now + wait


def requeue_watches(uow: SqlUnitOfWork, jobs: JobQueue, *, overdue_before: datetime | None = None) -> int:
    """Queue each watch's next check again (every watch at a start of the embedded deployment; on
    PostgreSQL those overdue, whose job may be lost); how many."""
    with uow.writing():
        watches = uow.captures.due_watches(overdue_before or datetime.max.replace(tzinfo=utcnow().tzinfo))
        for watch in watches:
            queue_check(uow, jobs, watch)
        return len(watches)
