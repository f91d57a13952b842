"""Archiving an upload: blob first, rows last (the caller's commit is the commit point)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from ulid import ULID

from archive.db.models import Blob, Document, Version
from archive.db.repository import Repository
from archive.db.session import Database
from archive.digests import SpooledUpload, UploadSpool
from archive.errors import BlobNotFound, DocumentNotFound, EmptyUpload, StoredBlobMismatch, VersionNotFound
from archive.extract import Extractor, has_extractor
from archive.extract.model import Extraction
from archive.services.attribution import record_attribution
from archive.services.documents import get_document
from archive.services.log import log_version
from archive.services.metadata import SuppliedMetadata
from archive.storage import BlobStore


@dataclass(frozen=True)
class IngestResult:
    version: Version
    created: bool
    """False when the upload matched the document's latest version, which is returned instead."""


def new_document_id() -> str:
    """A ULID: URL-safe, 26 characters, sortable by creation time."""
    return str(ULID())


def store_blob(repo: Repository, store: BlobStore, upload: SpooledUpload, media_type: str) -> Blob:
    """Make sure storage holds the bytes and the blob's row exists, under the digest's lock.

    `ingest_document` puts the bytes before its transaction begins, so no lock is held while they are
    written and synced; the collector of unreferenced blobs may have removed them since (it takes the same
    lock), so storage is asked again here and the bytes put again if they are gone. A blob that storage had
    lost is written back the same way.
    """
    digests = upload.digests
    repo.lock_blob(digests.blake3)  # the collector waits until this transaction ends
    known = repo.get_blob(digests.blake3)
    if known is not None and known.size != digests.size:
        raise StoredBlobMismatch(digests.blake3, known.size, digests.size)
    try:
        store.size(digests.blake3)
    except BlobNotFound:
        store.put_if_absent(upload, media_type)
    return repo.ensure_blob(digests, media_type)


def ingest_document(
    session: Session,
    store: BlobStore,
    upload: SpooledUpload,
    *,
    media_type: str,
    filename: str | None,
    metadata: SuppliedMetadata,
    actor: str,
    extractor: Extractor,
    document_id: str | None = None,
) -> IngestResult:
    """Archive an upload as a new document, or as a new version of the document it names.

    The document is `document_id` when given, else the one whose `source_url` matches, else a new one.
    When the bytes and supplied metadata equal that document's latest version, nothing is added.
    Metadata is read out of the document (`extractor`) and merged under what the archivist supplied.
    """
    if upload.digests.size == 0:
        raise EmptyUpload()
    # Parse and store before the first statement: on SQLite that takes the write lock, which should not be
    # held while a page is parsed or the bytes are written and synced.
    extraction = extractor.extract(upload.path, media_type)
    store.put_if_absent(upload, media_type)
    repo = Repository(session)
    document = _find_document(repo, document_id, metadata)
    if document is not None:
        latest = repo.latest_version(document)
        if (
            latest is not None
            and latest.blob_blake3 == upload.digests.blake3
            and latest.supplied == metadata.snapshot()
        ):
            return IngestResult(version=latest, created=False)

    blob = store_blob(repo, store, upload, media_type)
    new_document = document is None
    if document is None:
        # Its row is new to this transaction, so its first version number needs no claim.
        document = repo.add_document(
            Document(id=new_document_id(), source_url=metadata.source_url, created_by=actor, latest_version=1)
        )
    version = _add_version(
        repo,
        document,
        blob=blob,
        media_type=media_type,
        filename=filename,
        metadata=metadata,
        actor=actor,
        extraction=extraction,
        new_document=new_document,
    )
    return IngestResult(version=version, created=True)


@dataclass(frozen=True)
class StoredExtraction:
    """What extraction read out of a stored blob, read as it was stored under one media type."""

    blake3: str
    media_type: str
    extraction: Extraction


def extract_latest(
    db: Database, store: BlobStore, extractor: Extractor, document_id: str, spool_dir: Path | None
) -> StoredExtraction:
    """Read the latest version of a document out again, outside any writing transaction (on SQLite a
    correction would otherwise hold the write lock while a page is parsed)."""
    with db.reading() as session:
        latest = Repository(session).latest_version_of(document_id)
        if latest is None:
            get_document(session, document_id)  # DocumentNotFound when there is no such document
            raise VersionNotFound(document_id, 1)
    extraction = _extract_stored(store, extractor, latest, spool_dir)
    return StoredExtraction(latest.blob_blake3, latest.media_type, extraction)


def correct_metadata(
    session: Session,
    store: BlobStore,
    *,
    document_id: str,
    correction: SuppliedMetadata,
    actor: str,
    extractor: Extractor,
    spool_dir: Path | None,
    prepared: StoredExtraction | None = None,
) -> IngestResult:
    """A new version with the latest version's bytes and corrected metadata.

    The correction's fields replace the latest version's supplied ones (a list such as `credits` is
    replaced whole); the rest is kept, but for the `note`, which belongs to each version. The bytes are
    read again, so that extracted evidence is recorded for the new version as for any other: `prepared`
    by `extract_latest` before the transaction, or here when it was of other bytes (a version added since).
    """
    repo = Repository(session)
    document = repo.get_document(document_id)
    if document is None:
        raise DocumentNotFound(document_id)
    latest = repo.latest_version(document)
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
        extraction = _extract_stored(store, extractor, latest, spool_dir)
    version = _add_version(
        repo,
        document,
        blob=latest.blob,
        media_type=latest.media_type,
        filename=latest.filename,
        metadata=metadata,
        actor=actor,
        extraction=extraction,
    )
    return IngestResult(version=version, created=True)


def _without_note(supplied: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in supplied.items() if name != "note"}


def _extract_stored(
    store: BlobStore, extractor: Extractor, version: Version, spool_dir: Path | None
) -> Extraction:
    if not has_extractor(version.media_type):
        return Extraction()
    chunks = store.read(version.blob_blake3)
    with UploadSpool(spool_dir, None) as spool:
        for chunk in chunks:
            spool.write(chunk)
        upload = spool.finish()
    try:
        return extractor.extract(upload.path, version.media_type)
    finally:
        upload.discard()


def _add_version(
    repo: Repository,
    document: Document,
    *,
    blob: Blob,
    media_type: str,
    filename: str | None,
    metadata: SuppliedMetadata,
    actor: str,
    extraction: Extraction,
    new_document: bool = False,
) -> Version:
    """Add a version (a new document's first when `new_document`), described, credited and logged."""
    version = Version(
        document_id=document.id,
        number=1 if new_document else repo.next_version_number(document.id),
        blob=blob,
        media_type=media_type,
        filename=filename,
        archived_by=actor,
        note=metadata.note,
        source_url=metadata.source_url or document.source_url,
        supplied=metadata.snapshot(),
    )
    record_attribution(repo, version, metadata, extraction)
    log_version(repo.session, version)
    repo.set_loaded(version, "has_text", extraction.text is not None)  # each flush expires it
    return version


def _find_document(repo: Repository, document_id: str | None, metadata: SuppliedMetadata) -> Document | None:
    if document_id is not None:
        document = repo.get_document(document_id)
        if document is None:
            raise DocumentNotFound(document_id)
        return document
    if metadata.source_url is not None:
        return repo.get_document_by_source_url(metadata.source_url)
    return None
