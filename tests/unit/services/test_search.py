"""Search through the fake unit of work: a version is indexed by the transaction that adds it, and a
rolled-back upload leaves nothing in the index."""

from __future__ import annotations

import pytest

from archive.search.model import SearchFilters
from archive.services.ingest import ingest_document, prepare_upload, record_upload
from archive.services.search import SearchRequest, reindex, search
from archive.services.unit_of_work import FakeUnitOfWork
from tests.unit.services.conftest import upload


def _titles(uow: FakeUnitOfWork, q: str | None, **filters: object) -> list[str | None]:
    with uow.reading():
        page = search(uow, SearchRequest(q, SearchFilters(**filters), limit=10), candidates=100)  # type: ignore[arg-type]
    return [result.hit.title for result in page.results]


def test_an_archived_version_is_found(uow: FakeUnitOfWork) -> None:
    ingest_document(
        uow, upload(b"Heading\n\nThe zeppelins are landing.\n", {"title": "Airships", "language": "en"})
    )
    ingest_document(uow, upload(b"Heading\n\nA note on gardens.\n", {"title": "Gardens", "language": "en"}))
    assert _titles(uow, "zeppelin") == ["Airships"]
    assert _titles(uow, "zeppelin OR gardens") == ["Gardens", "Airships"]
    assert _titles(uow, None) == ["Gardens", "Airships"]
    assert reindex(uow) == 2 and _titles(uow, "landing") == ["Airships"]


def test_a_rolled_back_upload_leaves_no_entry(uow: FakeUnitOfWork) -> None:
    with pytest.raises(RuntimeError), uow.writing():
        sent = upload(b"Heading\n\nBalloons.\n", {"title": "Balloons"})
        record_upload(uow, sent, prepare_upload(uow, sent))
        raise RuntimeError("the transaction fails after the version was added")
    assert _titles(uow, "balloons") == [] and uow.search_index.count() == 0
