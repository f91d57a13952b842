"""The collector removes unreferenced blobs past the grace period, never a referenced or claimed one."""

from __future__ import annotations

import io
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.digests import spool_stream
from archive.errors import BlobNotFound
from archive.extract import ProcessExtractor
from archive.jobs.gc import collect_garbage
from archive.services.ingest import Upload, ingest_document
from archive.services.metadata import SuppliedMetadata
from tests.conftest import Deployment


def archive_bytes(deployment: Deployment, data: bytes, tmp_path: Path) -> str:
    extractor = ProcessExtractor()
    try:
        spooled = spool_stream(io.BytesIO(data), tmp_path)
        upload = Upload(spooled, "application/octet-stream", None, SuppliedMetadata(), "test")
        return ingest_document(deployment.uow(extractor=extractor), upload).version.blob_blake3
    finally:
        extractor.close()


def orphan(deployment: Deployment, data: bytes, tmp_path: Path) -> str:
    """What a crashed upload leaves: the blob stored, no row."""
    upload = spool_stream(io.BytesIO(data), tmp_path)
    deployment.store.put_if_absent(upload, "application/octet-stream")
    return upload.digests.blake3


def exists(deployment: Deployment, blake3: str) -> bool:
    try:
        deployment.store.size(blake3)
    except BlobNotFound:
        return False
    return True


def test_unreferenced_blobs_go_referenced_ones_stay(deployment: Deployment, tmp_path: Path) -> None:
    kept = archive_bytes(deployment, os.urandom(100), tmp_path)
    lost = orphan(deployment, os.urandom(100), tmp_path)

    young = collect_garbage(deployment.uow, grace=timedelta(hours=1))
    assert (young.scanned, young.too_young, young.deleted) == (2, 2, 0)
    assert exists(deployment, lost)

    dry = collect_garbage(deployment.uow, grace=timedelta(0), dry_run=True)
    assert (dry.deleted, dry.referenced) == (1, 1)
    assert exists(deployment, lost)

    report = collect_garbage(deployment.uow, grace=timedelta(0))
    assert (report.scanned, report.referenced, report.deleted) == (2, 1, 1)
    assert exists(deployment, kept)
    assert not exists(deployment, lost)


def test_a_blob_being_claimed_is_never_collected(deployment: Deployment, tmp_path: Path) -> None:
    """An upload has stored its blob and not yet committed its row: the collector waits, then keeps it."""
    upload = spool_stream(io.BytesIO(os.urandom(100)), tmp_path)
    stored = threading.Event()

    def slow_upload() -> None:
        with deployment.uow().writing() as uow:
            uow.blobs.lock(upload.digests.blake3)
            deployment.store.put_if_absent(upload, "application/octet-stream")
            stored.set()
            time.sleep(1.0)
            uow.blobs.ensure(upload.digests, "application/octet-stream")

    uploader = threading.Thread(target=slow_upload)
    uploader.start()
    assert stored.wait(10)
    report = collect_garbage(deployment.uow, grace=timedelta(0))
    uploader.join()
    assert report.deleted == 0
    assert report.referenced == 1
    assert exists(deployment, upload.digests.blake3)


def test_old_spool_files_are_removed(deployment: Deployment, tmp_path: Path) -> None:
    spool = tmp_path / "staging"
    spool.mkdir()
    old = spool / "upload-old.part"
    new = spool / "upload-new.part"
    other = spool / "keep.txt"
    for path in (old, new, other):
        path.write_bytes(b"partial")
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    report = collect_garbage(deployment.uow, grace=timedelta(hours=1), spool_dir=spool)
    assert report.spool_files_removed == 1
    assert sorted(p.name for p in spool.iterdir()) == ["keep.txt", "upload-new.part"]
