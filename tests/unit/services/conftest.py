"""Use cases over a `FakeUnitOfWork`: in-memory repositories and blob store, no database."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archive.db.models import Version
from archive.digests import spool_stream
from archive.extract import extract_bytes
from archive.extract.model import Extraction
from archive.ledger import Signer, generate_signer
from archive.services.ingest import Upload
from archive.services.metadata import SuppliedMetadata
from archive.services.signing import LogSigner
from archive.services.unit_of_work import FakeUnitOfWork

ORIGIN = "archive.test/log"
ARTICLE = b"A headline for the test\nBy Jane Doe and Omar Haddad\n\nThe first paragraph of the article.\n"


class CountingExtractor:
    """Extracts in this process (the service runs extraction in worker processes) and counts its calls;
    `before` runs first on each call, standing in for what happens meanwhile elsewhere."""

    def __init__(self) -> None:
        self.calls = 0
        self.before: Callable[[], None] | None = None

    def extract(self, path: Path, media_type: str) -> Extraction:
        self.calls += 1
        if self.before is not None:
            self.before()
        return extract_bytes(path.read_bytes(), media_type)


@pytest.fixture
def signer() -> LogSigner:
    secret, _ = generate_signer(ORIGIN)
    return LogSigner(ORIGIN, Signer.from_key_string(secret))


@pytest.fixture
def extractor() -> CountingExtractor:
    return CountingExtractor()


@pytest.fixture
def uow(extractor: CountingExtractor, signer: LogSigner) -> FakeUnitOfWork:
    return FakeUnitOfWork(extractor, signer)


def upload(
    data: bytes = ARTICLE,
    metadata: dict[str, Any] | None = None,
    *,
    document_id: str | None = None,
    media_type: str = "text/plain; charset=utf-8",
) -> Upload:
    return Upload(
        file=spool_stream(io.BytesIO(data), None),
        media_type=media_type,
        filename="article.txt",
        metadata=SuppliedMetadata.model_validate(metadata or {}),
        actor="alice",
        document_id=document_id,
    )


def render(version: Version) -> dict[str, Any]:
    """A small stand-in for the API's `VersionOut`: what the answer remembers and replays."""
    return {
        "document_id": version.document_id,
        "version": version.number,
        "blake3": version.blob_blake3,
        "title": version.title,
        "credits": [[credit.name, credit.role] for credit in version.credits if credit.accepted],
        "log_index": version.log_index,
    }
