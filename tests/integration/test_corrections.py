"""A metadata correction re-reads the stored bytes before its transaction, not while holding the lock."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from archive.db.session import sqlite_writer_lock
from archive.digests import spool_stream
from archive.extract import extract_bytes
from archive.extract.model import Extraction
from archive.services.ingest import (
    StoredExtraction,
    Upload,
    correct_metadata,
    extract_latest,
    ingest_document,
)
from archive.services.metadata import SuppliedMetadata
from tests.conftest import Deployment

FIRST = b"Harbour report\n\nBy Ada Lovelace\n\nThe harbour froze.\n"
SECOND = b"Harbour report\n\nBy Grace Hopper\n\nThe harbour thawed.\n"


@dataclass
class WatchedExtractor:
    """Extracts in-process, noting for each call whether this process's SQLite write lock was held."""

    deployment: Deployment
    calls: list[bool] = field(default_factory=list)

    def extract(self, path: Path, media_type: str) -> Extraction:
        lock = sqlite_writer_lock(self.deployment.db.engine)
        self.calls.append(lock is not None and lock.locked())
        return extract_bytes(path.read_bytes(), media_type)


def archive(deployment: Deployment, extractor: WatchedExtractor, data: bytes, document_id: str | None) -> str:
    spooled = spool_stream(io.BytesIO(data), deployment.settings.effective_spool_dir())
    try:
        upload = Upload(spooled, "text/plain", "harbour.txt", SuppliedMetadata(), "test", document_id)
        return ingest_document(deployment.uow(extractor=extractor), upload).version.document_id
    finally:
        spooled.discard()


def correct(
    deployment: Deployment, extractor: WatchedExtractor, document_id: str, prepared: StoredExtraction
) -> list[str]:
    with deployment.uow(extractor=extractor).writing() as uow:
        result = correct_metadata(
            uow,
            document_id=document_id,
            correction=SuppliedMetadata(title="Harbour report (corrected)"),
            actor="test",
            prepared=prepared,
        )
        assert result.created and result.version.title == "Harbour report (corrected)"
        return [credit.name for credit in result.version.credits if credit.accepted]


def test_a_correction_uses_what_was_read_before_its_transaction(deployment: Deployment) -> None:
    extractor = WatchedExtractor(deployment)
    document_id = archive(deployment, extractor, FIRST, None)
    prepared = extract_latest(deployment.uow(extractor=extractor), document_id)
    assert extractor.calls == [False, False]  # neither parse held the write lock
    assert correct(deployment, extractor, document_id, prepared) == ["Ada Lovelace"]
    assert len(extractor.calls) == 2, "the prepared extraction was used, not parsed again"


def test_a_correction_prepared_before_a_new_version_reads_the_new_bytes(deployment: Deployment) -> None:
    extractor = WatchedExtractor(deployment)
    document_id = archive(deployment, extractor, FIRST, None)
    prepared = extract_latest(deployment.uow(extractor=extractor), document_id)
    archive(deployment, extractor, SECOND, document_id)  # a new version lands meanwhile
    assert correct(deployment, extractor, document_id, prepared) == ["Grace Hopper"]
    assert len(extractor.calls) == 4
