"""Handing what the HTTP edge received to the one use case that archives it (the API's uploads and
corrections, and the web interface's upload form, alike)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio.to_thread

from archive.api.uploads import ReceivedForm
from archive.services.idempotency import Answer, Once
from archive.services.ingest import Upload
from archive.services.metadata import SuppliedMetadata
from archive.services.unit_of_work import UnitOfWork
from archive.services.uploads import archive_correction, archive_upload
from archive.wire.versions import render_version

T = TypeVar("T")

# Archiving waits on extraction and the database in worker threads. At most this many at once: the
# threads that serve reads (40, anyio's default) are never all taken by uploads behind slow pages.
ARCHIVING_THREADS = 16
_LIMITERS: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()


async def _in_archiving_thread(work: Callable[[], T]) -> T:
    loop = asyncio.get_running_loop()
    limiter = _LIMITERS.get(loop)
    if limiter is None:
        limiter = _LIMITERS[loop] = anyio.CapacityLimiter(ARCHIVING_THREADS)
    return await anyio.to_thread.run_sync(work, limiter=limiter)


async def archive_received(
    uow: UnitOfWork,
    form: ReceivedForm,
    *,
    metadata: SuppliedMetadata,
    actor: str,
    document_id: str | None,
    once: Once | None,
) -> Answer:
    """Archive a received form's file, once per key, in a worker thread of the archiving lane
    (extraction and the database are blocking)."""
    spooled = form.file
    assert spooled is not None
    upload = Upload(spooled, form.media_type, form.filename, metadata, actor, document_id)
    return await _in_archiving_thread(partial(archive_upload, uow, upload, once=once, render=render_version))


async def archive_corrected(
    uow: UnitOfWork, document_id: str, correction: SuppliedMetadata, *, actor: str, once: Once | None
) -> Answer:
    """Archive a correction of a document's metadata, once per key, in a worker thread."""
    correct = partial(archive_correction, uow, document_id, correction, actor=actor, once=once)
    return await _in_archiving_thread(partial(correct, render=render_version))
