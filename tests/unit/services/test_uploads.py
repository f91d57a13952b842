"""Archiving an upload once per idempotency key, through the fake unit of work."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from archive.db.models import IdempotencyRecord, Version
from archive.errors import DocumentNotFound, EmptyUpload
from archive.services.idempotency import IdempotencyKeyReused, Once
from archive.services.unit_of_work import FakeUnitOfWork
from archive.services.uploads import archive_correction, archive_file, archive_upload
from tests.unit.services.conftest import ARTICLE, CountingExtractor, render, upload

SOURCE = {"source_url": "https://news.example/a", "title": "Supplied title"}


def test_a_new_upload_is_a_new_document_credited_and_logged(uow: FakeUnitOfWork) -> None:
    answer = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)

    assert answer.created
    assert answer.response["version"] == 1
    assert answer.response["title"] == "Supplied title"
    assert ["Jane Doe", "author"] in answer.response["credits"]
    assert answer.response["log_index"] == 0
    assert uow.commits == 1
    assert uow.tables.log_head[0] == 1
    assert [blob.blake3 for blob in uow.store.iter_blobs()] == [answer.response["blake3"]]


def test_the_same_bytes_and_metadata_again_add_nothing(uow: FakeUnitOfWork) -> None:
    first = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)
    again = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)

    assert not again.created
    assert again.response == first.response
    assert len(uow.tables.versions) == 1
    assert uow.tables.log_head[0] == 1


def test_new_bytes_at_the_same_source_url_are_the_next_version(uow: FakeUnitOfWork) -> None:
    first = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)
    edited = archive_upload(uow, upload(b"Updated: the text changed\n", SOURCE), once=None, render=render)

    assert edited.created
    assert edited.response["document_id"] == first.response["document_id"]
    assert edited.response["version"] == 2
    assert edited.response["log_index"] == 1


def test_a_retry_with_its_key_gets_the_first_answer_and_reads_nothing_again(
    uow: FakeUnitOfWork, extractor: CountingExtractor
) -> None:
    once = Once("alice", "retry-1", "print-1")
    first = archive_upload(uow, upload(metadata=SOURCE), once=once, render=render)
    commits, calls = uow.commits, extractor.calls

    retried = archive_upload(uow, upload(metadata=SOURCE), once=once, render=render)

    assert retried == first
    assert (uow.commits, extractor.calls) == (commits, calls)
    assert uow.tables.idempotency[("alice", "retry-1")].response == first.response


def test_a_key_used_for_another_request_is_refused_and_stores_nothing(uow: FakeUnitOfWork) -> None:
    archive_upload(uow, upload(metadata=SOURCE), once=Once("alice", "k", "print-1"), render=render)

    with pytest.raises(IdempotencyKeyReused):
        archive_upload(
            uow, upload(b"other bytes\n", SOURCE), once=Once("alice", "k", "print-2"), render=render
        )
    assert len(uow.tables.versions) == 1


def test_one_key_is_per_principal(uow: FakeUnitOfWork) -> None:
    archive_upload(uow, upload(metadata=SOURCE), once=Once("alice", "k", "print-1"), render=render)
    other = archive_upload(uow, upload(b"bob's bytes\n"), once=Once("bob", "k", "print-2"), render=render)

    assert other.created
    assert len(uow.tables.documents) == 2


def test_a_twin_that_finishes_first_wins_the_race_and_this_work_rolls_back(
    uow: FakeUnitOfWork, extractor: CountingExtractor
) -> None:
    once = Once("alice", "twin", "print-1")
    twins_answer = {"document_id": "01JTWIN0000000000000000000", "version": 7}

    def twin_finishes() -> None:  # while this request extracts, its twin commits the same key
        uow.tables.idempotency[("alice", "twin")] = IdempotencyRecord(
            principal="alice", key="twin", fingerprint="print-1", created=True, response=twins_answer
        )

    extractor.before = twin_finishes
    answer = archive_upload(uow, upload(metadata=SOURCE), once=once, render=render)

    assert answer.response == twins_answer
    assert answer.created
    assert uow.rollbacks == 1
    assert uow.tables.versions == {}
    assert uow.tables.documents == {}
    assert uow.tables.log_head[0] == 0


def test_an_empty_upload_is_refused_before_anything_is_stored(uow: FakeUnitOfWork) -> None:
    with pytest.raises(EmptyUpload):
        archive_upload(uow, upload(b""), once=None, render=render)
    assert list(uow.store.iter_blobs()) == []
    assert uow.commits == 0


def test_a_version_of_an_unknown_document_is_refused_and_no_row_is_left(uow: FakeUnitOfWork) -> None:
    with pytest.raises(DocumentNotFound):
        archive_upload(uow, upload(document_id="01JNOSUCH00000000000000000"), once=None, render=render)
    assert uow.tables.blobs == {}
    assert uow.tables.versions == {}
    assert uow.rollbacks == 1


def test_a_correction_is_a_new_version_of_the_same_bytes(uow: FakeUnitOfWork) -> None:
    first = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)
    document_id = first.response["document_id"]
    correction = upload(metadata={"title": "Corrected title"}).metadata

    corrected = archive_correction(uow, document_id, correction, actor="alice", once=None, render=render)

    assert corrected.created
    assert corrected.response["version"] == 2
    assert corrected.response["title"] == "Corrected title"
    assert corrected.response["blake3"] == first.response["blake3"]


def test_a_note_alone_corrects_nothing(uow: FakeUnitOfWork) -> None:
    first = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)
    note = upload(metadata={"note": "looked again"}).metadata

    answer = archive_correction(
        uow, first.response["document_id"], note, actor="alice", once=None, render=render
    )

    assert not answer.created
    assert answer.response == first.response


def test_a_version_whose_transaction_failed_leaves_its_number_free(uow: FakeUnitOfWork) -> None:
    first = archive_upload(uow, upload(metadata=SOURCE), once=None, render=render)

    def failing(version: Version) -> dict[str, Any]:
        raise RuntimeError("rendering failed after the rows were written")

    with pytest.raises(RuntimeError):
        archive_upload(uow, upload(b"second text\n", SOURCE), once=None, render=failing)
    retried = archive_upload(uow, upload(b"second text\n", SOURCE), once=None, render=render)

    assert retried.response["version"] == 2
    assert retried.response["document_id"] == first.response["document_id"]
    assert uow.tables.log_head[0] == 2


def test_a_file_on_disk_is_read_only_when_its_key_has_no_answer(
    uow: FakeUnitOfWork, extractor: CountingExtractor, tmp_path: Path
) -> None:
    once = Once("alice", "ingest-1", "print-1")
    metadata = upload(metadata=SOURCE).metadata

    def archive_it(source: BinaryIO) -> dict[str, Any]:
        return archive_file(
            uow,
            source,
            filename="article.txt",
            media_type="text/plain",
            metadata=metadata,
            actor="alice",
            once=once,
            render=render,
        ).response

    first = archive_it(io.BytesIO(ARTICLE))
    unread = io.BytesIO(b"not these bytes")
    assert archive_it(unread) == first  # a replay needs nothing of the file
    assert unread.tell() == 0
    assert extractor.calls == 1
    assert first["title"] == "Supplied title"
