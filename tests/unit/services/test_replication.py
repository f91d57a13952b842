"""Copying a blob between stores: only the archived bytes are copied, and the copy is read back."""

from __future__ import annotations

import io
from pathlib import Path

from archive.digests import digest_bytes, spool_stream
from archive.services.replication import copy_verified
from archive.storage import MemoryBlobStore

DATA = b"the archived bytes of a document\n"


def stored(data: bytes, tmp_path: Path) -> MemoryBlobStore:
    store = MemoryBlobStore()
    store.put_if_absent(spool_stream(io.BytesIO(data), tmp_path), "text/plain")
    return store


def test_the_archived_bytes_are_copied_over_a_bad_copy_and_read_back(tmp_path: Path) -> None:
    expected = digest_bytes(DATA)
    source, target = stored(DATA, tmp_path), MemoryBlobStore()
    target.blobs[expected.blake3] = b"rotten"
    spool = tmp_path / "spool"
    copied = copy_verified(source, target, expected, "text/plain", spool)
    assert copied.status == "ok" and target.blobs[expected.blake3] == DATA
    assert list(spool.iterdir()) == []  # the spool file is gone


def test_a_source_that_lost_or_changed_the_bytes_copies_nothing(tmp_path: Path) -> None:
    expected = digest_bytes(DATA)
    source, target = MemoryBlobStore(), MemoryBlobStore()
    assert copy_verified(source, target, expected, "text/plain", tmp_path).status == "missing"
    source.blobs[expected.blake3] = b"X" * len(DATA)
    changed = copy_verified(source, target, expected, "text/plain", tmp_path)
    assert changed.status == "corrupt" and changed.found == digest_bytes(b"X" * len(DATA))
    assert target.blobs == {} and list(tmp_path.iterdir()) == []
