"""Re-reading archived documents with today's extractor: a new version where the result differs, with the
same bytes and supplied metadata and a note naming the extractor; nothing where it does not."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from archive.digests import spool_stream
from archive.extract import extract_bytes
from archive.extract.model import Extraction
from archive.extract.revision import EXTRACTOR_VERSION
from archive.services.ingest import Upload, ingest_document, reextract_document
from archive.services.metadata import SuppliedMetadata
from tests.conftest import Deployment

PAGE = (
    b"Harbour report\n\nBy Ada Lovelace and Grace Hopper\n\n"
    b"The harbour froze for the first time in forty years, the port authority said on Monday.\n"
)


class OlderExtractor:
    """What an earlier extractor made of the page: the title alone, no credits."""

    def extract(self, path: Path, media_type: str) -> Extraction:
        today = extract_bytes(path.read_bytes(), media_type)
        return Extraction(text=today.text, title=today.title, extractor="archive-extract/1 weights/none")


def _archive(deployment: Deployment) -> str:
    spooled = spool_stream(io.BytesIO(PAGE), deployment.settings.effective_spool_dir())
    try:
        upload = Upload(spooled, "text/plain", "harbour.txt", SuppliedMetadata(note="from the desk"), "test")
        return ingest_document(deployment.uow(extractor=OlderExtractor()), upload).version.document_id
    finally:
        spooled.discard()


def test_a_document_read_differently_gets_a_new_version_and_the_old_one_stays(deployment: Deployment) -> None:
    document_id = _archive(deployment)
    uow = deployment.uow()

    result = reextract_document(uow, document_id, actor="cli:test")

    assert result.created
    with uow.reading():
        first, second = uow.documents.versions(document_id)
        assert (first.extracted_by, first.credits) == ("archive-extract/1 weights/none", [])
        assert second.extracted_by == EXTRACTOR_VERSION
        assert second.note == f"re-read by {EXTRACTOR_VERSION}"
        assert second.blob_blake3 == first.blob_blake3
        assert second.supplied == {"note": second.note}  # the supplied metadata, its note the re-reading's
        assert [(c.name, c.role) for c in second.credits] == [
            ("Ada Lovelace", "author"),
            ("Grace Hopper", "author"),
        ]
        assert second.log_index is not None and second.log_index > (first.log_index or 0)
    again = reextract_document(uow, document_id, actor="cli:test")
    assert (again.created, again.version.number) == (False, 2)


def test_the_command_re_reads_every_document_and_says_what_it_did(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "ARCHIVE_DATABASE_URL": f"sqlite:///{tmp_path / 'archive.db'}",
        "ARCHIVE_STORAGE_URL": f"file://{tmp_path / 'blobs'}",
        "ARCHIVE_SIGNING_KEY_FILE": str(tmp_path / "log.key"),
    }

    def archive(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "archive", *args]
        return subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=120, check=False
        )

    assert archive("db", "upgrade").returncode == 0
    page = tmp_path / "harbour.txt"
    page.write_bytes(PAGE)
    assert archive("ingest", str(page), "--journal", str(tmp_path / "journal.jsonl")).returncode == 0

    first = archive("reextract", "--json")
    unknown = archive("reextract", "--document", "01ARZ3NDEKTSV4RRFFQ69G5FAV")

    assert first.returncode == 0, first.stderr
    assert '"changed": false' in first.stdout  # read by this extractor already
    assert EXTRACTOR_VERSION in first.stdout
    assert unknown.returncode == 1
    assert "01ARZ3NDEKTSV4RRFFQ69G5FAV" in unknown.stderr


class GivingUpExtractor:
    """An extractor over its time cap: it read nothing."""

    def extract(self, path: Path, media_type: str) -> Extraction:
        return Extraction(problems=["not parsed: it took over 20 s"])


def test_an_extractor_that_gave_up_never_replaces_what_was_read(deployment: Deployment) -> None:
    document_id = _archive(deployment)

    result = reextract_document(deployment.uow(extractor=GivingUpExtractor()), document_id, actor="cli:test")

    assert (result.created, result.version.number) == (False, 1)
