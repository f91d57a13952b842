"""Archiving what an archivist sends, once per idempotency key: the one use case behind the API's
uploads and corrections, the web interface's upload form and `archive ingest` (a file on disk, read only
when it is to be archived)."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from archive.digests import SpooledUpload, spool_stream
from archive.extract.model import Extraction
from archive.services.idempotency import Answer, Once, Render, answer_once
from archive.services.ingest import (
    IngestResult,
    Upload,
    correct_metadata,
    extract_latest,
    prepare_upload,
    record_upload,
)
from archive.services.metadata import SuppliedMetadata
from archive.services.unit_of_work import UnitOfWork


def archive_upload(
    uow: UnitOfWork,
    upload: Upload,
    *,
    once: Once | None,
    render: Render,
    then: Callable[[IngestResult], None] | None = None,
) -> Answer:
    """Archive an upload (a new document, or a new version of its document), once per key: its metadata
    read out and its bytes stored before the transaction, its rows written in it (and `then` run in it,
    with what was recorded)."""
    return answer_once(
        uow,
        once,
        render,
        prepare=lambda: prepare_upload(uow, upload),
        record=lambda extraction: record_upload(uow, upload, extraction),
        then=then,
    )


def archive_file(
    uow: UnitOfWork,
    source: BinaryIO,
    *,
    filename: str,
    media_type: str,
    metadata: SuppliedMetadata,
    actor: str,
    once: Once | None,
    render: Render,
) -> Answer:
    """Archive an open file (`archive ingest`) as `archive_upload` does an upload; its bytes are read from
    where `source` stands and spooled only when its key has no answer yet, and the spool file is removed at
    the end. The caller opens the file, so what is read is the file it chose (never a link swapped in)."""
    spooled: list[SpooledUpload] = []

    def prepare() -> tuple[Upload, Extraction]:
        spooled.append(spool_stream(source, uow.spool_dir))
        upload = Upload(spooled[0], media_type, filename, metadata, actor)
        return upload, prepare_upload(uow, upload)

    try:
        return answer_once(uow, once, render, prepare, lambda prepared: record_upload(uow, *prepared))
    finally:
        for file in spooled:
            file.discard()


def archive_correction(
    uow: UnitOfWork,
    document_id: str,
    correction: SuppliedMetadata,
    *,
    actor: str,
    once: Once | None,
    render: Render,
) -> Answer:
    """A new version of a document with its latest bytes and corrected metadata, once per key: its latest
    version read out again before the transaction (again in it, should a version land meanwhile)."""
    return answer_once(
        uow,
        once,
        render,
        prepare=lambda: extract_latest(uow, document_id),
        record=lambda prepared: correct_metadata(
            uow, document_id=document_id, correction=correction, actor=actor, prepared=prepared
        ),
    )
