"""`archive ingest` reads the files it listed and nothing else: a name swapped between listing and reading
(for a link, along its path or at its end, or for a FIFO) is refused, and the file it now names is never
read, let alone archived."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

from archive.bulk import Journal, collect_files, ingest_files


class RecordingTarget:
    """Archives nothing; keeps what it was given to archive."""

    def __init__(self) -> None:
        self.received: dict[str, bytes] = {}

    def archive(
        self, source: BinaryIO, filename: str, metadata: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        self.received[filename] = source.read()
        return {"document_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": 1}


def ingest(
    tmp_path: Path, collection: Path, swap: Any, follow_links: bool = False
) -> tuple[dict[str, Any], RecordingTarget]:
    collected = collect_files([collection], follow_links=follow_links)
    swap()
    target = RecordingTarget()
    summary = ingest_files(
        collected.files, target, Journal(tmp_path / "journal.jsonl"), follow_links=follow_links
    )
    return {Path(o.path).name: o for o in summary.outcomes}, target


def make(tmp_path: Path) -> tuple[Path, Path]:
    collection = tmp_path / "collection"
    (collection / "sub").mkdir(parents=True)
    (collection / "article.txt").write_text("an article\n")
    (collection / "sub" / "notes.txt").write_text("notes\n")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "notes.txt").write_text("the signing key, say\n")
    return collection, secret


def test_a_file_swapped_for_a_link_after_listing_is_not_read(tmp_path: Path) -> None:
    collection, secret = make(tmp_path)

    def swap() -> None:
        (collection / "article.txt").unlink()
        (collection / "article.txt").symlink_to(secret / "notes.txt")

    outcomes, target = ingest(tmp_path, collection, swap)
    assert outcomes["article.txt"].status == "failed"
    assert "symbolic link" in (outcomes["article.txt"].reason or "")
    assert outcomes["notes.txt"].status == "archived"
    assert b"signing key" not in b"".join(target.received.values())


def test_a_folder_swapped_for_a_link_after_listing_is_not_read_through(tmp_path: Path) -> None:
    collection, secret = make(tmp_path)

    def swap() -> None:
        (collection / "sub").rename(tmp_path / "moved")
        (collection / "sub").symlink_to(secret, target_is_directory=True)

    outcomes, target = ingest(tmp_path, collection, swap)
    assert outcomes["notes.txt"].status == "failed"
    assert "no longer the file that was listed" in (outcomes["notes.txt"].reason or "")
    assert list(target.received) == ["article.txt"]


def test_a_file_swapped_for_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    collection, _ = make(tmp_path)

    def swap() -> None:
        (collection / "article.txt").unlink()
        os.mkfifo(collection / "article.txt")  # opening it for reading would wait for a writer

    outcomes, _ = ingest(tmp_path, collection, swap)
    assert outcomes["article.txt"].status == "failed"


def test_a_followed_link_must_still_point_at_the_file_listed(tmp_path: Path) -> None:
    collection, secret = make(tmp_path)
    (tmp_path / "public.txt").write_text("public\n")
    (collection / "link.txt").symlink_to(tmp_path / "public.txt")

    def swap() -> None:
        (collection / "link.txt").unlink()
        (collection / "link.txt").symlink_to(secret / "notes.txt")

    outcomes, target = ingest(tmp_path, collection, swap, follow_links=True)
    assert outcomes["link.txt"].status == "failed"
    assert b"signing key" not in b"".join(target.received.values())
    assert target.received["article.txt"] == b"an article\n"
