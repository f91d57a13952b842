"""Archiving an upload: blob first, rows last (the unit of work's commit is the commit point)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ulid import ULID

from archive.db.models import Blob, Document, Version, utcnow
from archive.db.repositories.base import set_loaded
from archive.db.repositories.blobs import Derived
from archive.digests import SpooledUpload, UploadSpool
from archive.errors import (
    BlobNotFound,
    DocumentNotFound,
    EmptyUpload,
    StorageError,
    StoredBlobCorrupt,
    StoredBlobMismatch,
    VersionNotFound,
)
from archive.extract import has_extractor
from archive.extract.model import Extraction
from archive.extract.preview import Preview
from archive.services.attribution import attribute, reads_the_same, record_attribution
from archive.services.documents import get_document
from archive.services.fixity import FAILED_STATUSES, check_blob
from archive.services.log import log_version
from archive.services.metadata import SuppliedMetadata
from archive.services.replication import queue_replication
from archive.services.search import index_version
from archive.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class IngestResult:
    version: Version
    created: bool
    """False when the upload matched the document's latest version, which is returned instead."""


@dataclass(frozen=True)
class Upload:
    """What an archivist sent: the spooled bytes, how they are described, by whom, and for which document
    (`document_id`; None: the one whose `source_url` matches, else a new one)."""

    file: SpooledUpload
    media_type: str
    filename: str | None
    metadata: SuppliedMetadata
    actor: str
    document_id: str | None = None
    create_as: str | None = None
    """The id a new document takes (an import keeps the id it was exported under); None: a new ULID."""


def new_document_id() -> str:
    """A ULID: URL-safe, 26 characters, sortable by creation time."""
    return str(ULID())


def store_blob(
    uow: UnitOfWork, upload: SpooledUpload, media_type: str, derived: Derived | None = None
) -> Blob:
    """Make sure storage holds the bytes and the blob's row exists, under the digest's lock.

    `prepare_upload` puts the bytes before the transaction begins, so no lock is held while they are
    written and synced; the collector of unreferenced blobs may have removed them since (it takes the same
    lock), so storage is asked again here and the bytes put again if they are gone. A blob that storage had
    lost is written back the same way.

    A blob whose stored bytes failed their fixity check (corrupt or missing) is repaired by an upload of
    the genuine bytes: they are written over the bad copy, read back and measured, and the result recorded
    (a check row; the blob's status ok again), so the version the upload makes is served at once. Should
    the copy still not read back right, the upload fails rather than acknowledge bytes the archive lacks.
    """
    digests = upload.digests
    uow.blobs.lock(digests.blake3)  # the collector waits until this transaction ends
    known = uow.blobs.get(digests.blake3)
    if known is not None and known.size != digests.size:
        raise StoredBlobMismatch(digests.blake3, known.size, digests.size)
    failed = known is not None and known.fixity_status in FAILED_STATUSES
    try:
        uow.store.size(digests.blake3)
    except BlobNotFound:
        uow.store.put_if_absent(upload, media_type)
    else:
        if failed:
            uow.store.replace(upload, media_type)
    if failed:
        result = check_blob(uow, digests.blake3, actor="repair by upload")
        if result.status != "ok":
            raise StoredBlobCorrupt(digests.blake3, result.status)
    blob = uow.blobs.ensure(digests, media_type, derived, upload.chunk_index)
    if known is None:  # a blob new to the archive: its second copy is made by a job once this commits
        queue_replication(uow, digests.blake3)
    return blob


def prepare_upload(uow: UnitOfWork, upload: Upload) -> Extraction:
    """Read the upload's metadata out of it and put its bytes in storage, outside any transaction: on SQLite
    a transaction that may write holds the write lock, which should not be held while a page is parsed or
    the bytes are written and synced."""
    if upload.file.digests.size == 0:
        raise EmptyUpload()
    extraction = uow.extractor.extract(upload.file.path, upload.media_type)
    uow.store.put_if_absent(upload.file, upload.media_type)
    put_preview(uow, extraction)
    return extraction


def put_preview(uow: UnitOfWork, extraction: Extraction) -> None:
    """Put a preview's bytes in storage ahead of the transaction that records it, as an upload's are. A
    preview is a convenience: when storage refuses it, the upload goes on without one."""
    preview = extraction.preview
    if preview is None:
        return
    try:
        with _spooled(uow, preview.data) as spooled:
            uow.store.put_if_absent(spooled, preview.media_type)
    except (StorageError, OSError) as exc:
        extraction.preview = None
        extraction.problems.append(f"no preview: it could not be stored ({type(exc).__name__})")


@contextmanager
def _spooled(uow: UnitOfWork, data: bytes) -> Iterator[SpooledUpload]:
    with UploadSpool(uow.spool_dir, None) as spool:
        spool.write(data)
        spooled = spool.finish()
    try:
        yield spooled
    finally:
        spooled.discard()


def record_preview(uow: UnitOfWork, source: Blob, preview: Preview | None) -> Blob | None:
    """The preview's blob, derived from `source` (its bytes put again should storage have lost them)."""
    if preview is None:
        return None
    with _spooled(uow, preview.data) as spooled:
        return store_blob(
            uow, spooled, preview.media_type, Derived(source.blake3, f"preview by {preview.made_by}")
        )


def record_upload(uow: UnitOfWork, upload: Upload, extraction: Extraction) -> IngestResult:
    """In the transaction open on `uow`: archive a prepared upload as a new document, or as a new version
    of its document. When the bytes and supplied metadata equal that document's latest version, nothing is
    added. What was read out of the document is merged under what the archivist supplied."""
    metadata = upload.metadata
    document = _find_document(uow, upload.document_id, metadata)
    if document is not None:
        latest = uow.documents.latest_version(document)
        if (
            latest is not None
            and latest.blob_blake3 == upload.file.digests.blake3
            and latest.supplied == metadata.snapshot()
        ):
            store_blob(uow, upload.file, upload.media_type)  # nothing to record, but a bad copy repaired
            return IngestResult(version=latest, created=False)

    blob = store_blob(uow, upload.file, upload.media_type)
    new_document = document is None
    if document is None:
        # Its row is new to this transaction, so its first version number needs no claim.
        document = uow.documents.add(
            Document(
                id=upload.create_as or new_document_id(),
                source_url=metadata.source_url,
                created_by=upload.actor,
                latest_version=1,
            )
        )
    version = _add_version(
        uow,
        document,
        blob=blob,
        described=Described(upload.media_type, upload.filename, metadata, upload.actor, extraction),
        new_document=new_document,
    )
    return IngestResult(version=version, created=True)


def ingest_document(uow: UnitOfWork, upload: Upload) -> IngestResult:
    """Archive an upload in a transaction of its own (`archive_upload` adds idempotency keys)."""
    extraction = prepare_upload(uow, upload)
    with uow.writing():
        return record_upload(uow, upload, extraction)


@dataclass(frozen=True)
class StoredExtraction:
    """What extraction read out of a stored blob, read as it was stored under one media type."""

    blake3: str
    media_type: str
    extraction: Extraction


def extract_latest(uow: UnitOfWork, document_id: str) -> StoredExtraction:
    """Read the latest version of a document out again, outside any writing transaction (on SQLite a
    correction would otherwise hold the write lock while a page is parsed)."""
    with uow.reading():
        latest = uow.documents.latest_version_of(document_id)
        if latest is None:
            get_document(uow, document_id)  # DocumentNotFound when there is no such document
            raise VersionNotFound(document_id, 1)
    extraction = _extract_stored(uow, latest)
    put_preview(uow, extraction)
    return StoredExtraction(latest.blob_blake3, latest.media_type, extraction)


def correct_metadata(
    uow: UnitOfWork,
    *,
    document_id: str,
    correction: SuppliedMetadata,
    actor: str,
    prepared: StoredExtraction | None = None,
) -> IngestResult:
    """A new version with the latest version's bytes and corrected metadata.

    The correction's fields replace the latest version's supplied ones (a list such as `credits` is
    replaced whole); the rest is kept, but for the `note`, which belongs to each version. The bytes are
    read again, so that extracted evidence is recorded for the new version as for any other: `prepared`
    by `extract_latest` before the transaction, or here when it was of other bytes (a version added since).
    """
    document = uow.documents.get(document_id)
    if document is None:
        raise DocumentNotFound(document_id)
    latest = uow.documents.latest_version(document)
    if latest is None:
        raise VersionNotFound(document_id, 1)
    kept = _without_note(latest.supplied)
    metadata = SuppliedMetadata.model_validate(kept | correction.snapshot())
    if _without_note(metadata.snapshot()) == kept:
        return IngestResult(version=latest, created=False)  # a note alone corrects nothing
    if prepared is not None and (prepared.blake3, prepared.media_type) == (
        latest.blob_blake3,
        latest.media_type,
    ):
        extraction = prepared.extraction
    else:
        extraction = _extract_stored(uow, latest)
    described = Described(latest.media_type, latest.filename, metadata, actor, extraction)
    version = _add_version(uow, document, blob=latest.blob, described=described)
    return IngestResult(version=version, created=True)


def reextract_document(uow: UnitOfWork, document_id: str, *, actor: str) -> IngestResult:
    """Read a document's latest version again with today's extractor and, when it reads differently, add
    a version with the same bytes and supplied metadata and a note naming the extractor (as a metadata
    correction does); versions archived before are never rewritten. `created` is False when nothing
    changed."""
    prepared = extract_latest(uow, document_id)  # outside the transaction, as a correction is
    with uow.writing():
        document = uow.documents.get(document_id)
        latest = uow.documents.latest_version(document) if document is not None else None
        if document is None or latest is None:
            raise DocumentNotFound(document_id)
        extraction = prepared.extraction
        if (prepared.blake3, prepared.media_type) != (latest.blob_blake3, latest.media_type):
            extraction = _extract_stored(uow, latest)  # a version landed meanwhile
        metadata = SuppliedMetadata.model_validate(_without_note(latest.supplied))
        if not_read(extraction) or reads_the_same(latest, metadata, extraction):
            return IngestResult(version=latest, created=False)
        noted = metadata.model_copy(update={"note": f"re-read by {extraction.extractor}"})
        described = Described(latest.media_type, latest.filename, noted, actor, extraction)
        return IngestResult(
            version=_add_version(uow, document, blob=latest.blob, described=described), created=True
        )


def not_read(extraction: Extraction) -> bool:
    """Whether the extractor gave up on the bytes (over its time or size cap, or failed): such a result says
    nothing about them, and never replaces what an earlier reading found."""
    return any(problem.startswith("not parsed:") for problem in extraction.problems)


def _without_note(supplied: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in supplied.items() if name != "note"}


def _extract_stored(uow: UnitOfWork, version: Version) -> Extraction:
    if not has_extractor(version.media_type):
        return Extraction()
    chunks = uow.store.read(version.blob_blake3)
    with UploadSpool(uow.spool_dir, None) as spool:
        for chunk in chunks:
            spool.write(chunk)
        upload = spool.finish()
    try:
        return uow.extractor.extract(upload.path, version.media_type)
    finally:
        upload.discard()


@dataclass(frozen=True)
class Described:
    """How a new version describes its bytes: as uploaded, by whom, and what was read out of them."""

    media_type: str
    filename: str | None
    metadata: SuppliedMetadata
    actor: str
    extraction: Extraction


def _add_version(
    uow: UnitOfWork, document: Document, *, blob: Blob, described: Described, new_document: bool = False
) -> Version:
    """Add a version (a new document's first when `new_document`), described, credited and logged."""
    metadata = described.metadata
    version = Version(
        document_id=document.id,
        number=1 if new_document else uow.documents.next_version_number(document.id),
        blob=blob,
        media_type=described.media_type,
        filename=described.filename,
        archived_by=described.actor,
        archived_at=utcnow(),
        note=metadata.note,
        source_url=metadata.source_url or document.source_url,
        supplied=metadata.snapshot(),
        preview=record_preview(uow, blob, described.extraction.preview),
    )
    attribution = attribute(uow, version, metadata, described.extraction)
    log_version(uow, version)  # before the version is written, which then carries its leaf's index
    record_attribution(uow, version, attribution)
    set_loaded(version, "has_text", described.extraction.text is not None)
    index_version(uow, version)  # searchable once this transaction commits
    return version


def _find_document(uow: UnitOfWork, document_id: str | None, metadata: SuppliedMetadata) -> Document | None:
    if document_id is not None:
        document = uow.documents.get(document_id)
        if document is None:
            raise DocumentNotFound(document_id)
        return document
    if metadata.source_url is not None:
        return uow.documents.by_source_url(metadata.source_url)
    return None
