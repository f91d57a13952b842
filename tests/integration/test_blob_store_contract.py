"""One contract, every backend: memory (the fake), filesystem, and S3 over HTTP."""

from __future__ import annotations

import errno
import io
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from archive.config import MiB
from archive.digests import SpooledUpload, spool_stream
from archive.errors import BlobNotFound, StorageUnavailable
from archive.storage import BlobStore, ByteRange, FilesystemBlobStore, MemoryBlobStore
from archive.storage.s3 import S3BlobStore
from tests.conftest import free_port, new_bucket


def s3_store(endpoint: str, **kwargs: int) -> S3BlobStore:
    client = boto3.client("s3", endpoint_url=endpoint)
    return S3BlobStore(client, new_bucket(endpoint), "prefix/of/archive", **kwargs)


@pytest.fixture(params=["memory", "filesystem", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "memory":
        yield MemoryBlobStore()
    elif request.param == "filesystem":
        yield FilesystemBlobStore(tmp_path / "blobs")
    else:
        yield s3_store(request.getfixturevalue("s3_endpoint"))


def spooled(data: bytes, tmp_path: Path) -> SpooledUpload:
    return spool_stream(io.BytesIO(data), tmp_path / "spool")


def read_all(store: BlobStore, blake3: str, byte_range: ByteRange | None = None) -> bytes:
    return b"".join(store.read(blake3, byte_range))


def test_put_then_read(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(5000)
    upload = spooled(data, tmp_path)
    assert store.put_if_absent(upload, "application/octet-stream") is True
    assert store.size(upload.digests.blake3) == 5000
    assert read_all(store, upload.digests.blake3) == data
    assert read_all(store, upload.digests.blake3, ByteRange(10, 19)) == data[10:20]
    assert read_all(store, upload.digests.blake3, ByteRange(4999, 4999)) == data[-1:]


def test_put_if_absent_never_overwrites(store: BlobStore, tmp_path: Path) -> None:
    upload = spooled(b"the same bytes", tmp_path)
    assert store.put_if_absent(upload, "text/plain") is True
    assert store.put_if_absent(upload, "text/plain") is False
    assert read_all(store, upload.digests.blake3) == b"the same bytes"


def test_replace_swaps_the_stored_bytes_whole(store: BlobStore, tmp_path: Path) -> None:
    good = spooled(os.urandom(3000), tmp_path)
    bad = spooled(os.urandom(3000), tmp_path)
    assert store.put_if_absent(bad, "application/octet-stream")
    # a repair: the genuine bytes written over a bad copy stored under their key
    store.replace(_under(good, bad.digests.blake3), "application/octet-stream")
    assert read_all(store, bad.digests.blake3) == good.path.read_bytes()
    store.replace(good, "application/octet-stream")  # where nothing was stored, it simply stores
    assert read_all(store, good.digests.blake3) == good.path.read_bytes()


def _under(upload: SpooledUpload, blake3: str) -> SpooledUpload:
    """The same bytes, addressed as if they were `blake3`'s (to put other bytes under a known key)."""
    return SpooledUpload(upload.path, replace(upload.digests, blake3=blake3))


def test_missing_blob(store: BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        store.size("0" * 64)
    with pytest.raises(BlobNotFound):
        store.read("0" * 64)


def test_delete(store: BlobStore, tmp_path: Path) -> None:
    upload = spooled(b"to be collected", tmp_path)
    store.put_if_absent(upload, "text/plain")
    store.delete(upload.digests.blake3)
    with pytest.raises(BlobNotFound):
        store.size(upload.digests.blake3)
    store.delete(upload.digests.blake3)  # absent is not an error


def test_empty_blob(store: BlobStore, tmp_path: Path) -> None:
    upload = spooled(b"", tmp_path)
    assert store.put_if_absent(upload, "text/plain") is True
    assert store.size(upload.digests.blake3) == 0
    assert read_all(store, upload.digests.blake3) == b""


def test_keys_refuse_non_digests(store: BlobStore) -> None:
    with pytest.raises(ValueError, match="BLAKE3"):
        store.size("../../etc/passwd")


def test_check(store: BlobStore) -> None:
    store.check()


def test_concurrent_puts_of_one_blob_store_it_once(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(100_000)
    uploads = [spooled(data, tmp_path) for _ in range(6)]
    results: list[bool] = []
    errors: list[BaseException] = []

    def put(upload: SpooledUpload) -> None:
        try:
            results.append(store.put_if_absent(upload, "application/octet-stream"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(u,)) for u in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * 5 + [True], "exactly one writer stores it"
    assert read_all(store, uploads[0].digests.blake3) == data


# Backend specifics


def test_filesystem_layout_and_durability(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs")
    upload = spooled(b"layout", tmp_path)
    store.put_if_absent(upload, "text/plain")
    b3 = upload.digests.blake3
    path = tmp_path / "blobs" / "blake3" / b3[:2] / b3[2:4] / b3
    assert path.read_bytes() == b"layout"
    assert path.stat().st_mode & 0o222 == 0, "a stored blob is read-only"
    upload.discard()
    assert path.read_bytes() == b"layout", "discarding the spool file leaves the blob"
    assert [p.name for p in path.parent.iterdir()] == [b3], "no temporary file left beside it"


def test_filesystem_copies_across_devices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the spool is on another filesystem, link fails with EXDEV and the bytes are copied."""
    store = FilesystemBlobStore(tmp_path / "blobs")
    upload = spooled(b"cross-device", tmp_path)
    real_link = os.link

    def link(source: str | Path, target: str | Path) -> None:
        if Path(source) == upload.path:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(source, target)

    monkeypatch.setattr(os, "link", link)
    assert store.put_if_absent(upload, "text/plain") is True
    assert read_all(store, upload.digests.blake3) == b"cross-device"


def test_filesystem_unwritable_root_is_unavailable(tmp_path: Path) -> None:
    root = tmp_path / "readonly"
    root.mkdir()
    (root / "blake3").write_text("a file where a folder should be")
    store = FilesystemBlobStore(root)
    with pytest.raises(StorageUnavailable):
        store.put_if_absent(spooled(b"x", tmp_path), "text/plain")


def test_s3_object_key_checksum_and_metadata(s3_endpoint: str, tmp_path: Path) -> None:
    store = s3_store(s3_endpoint)
    upload = spooled(b"checksummed", tmp_path)
    store.put_if_absent(upload, "text/plain")
    b3 = upload.digests.blake3
    key = f"prefix/of/archive/blake3/{b3[:2]}/{b3[2:4]}/{b3}"
    head = store.client.head_object(Bucket=store.bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(b"checksummed")
    assert head["Metadata"] == {"blake3": b3, "sha256": upload.digests.sha256}
    assert head["ContentType"] == "text/plain"


def test_s3_multipart_upload(s3_endpoint: str, tmp_path: Path) -> None:
    store = s3_store(s3_endpoint, multipart_threshold=5 * MiB, multipart_chunk_size=5 * MiB)
    data = os.urandom(12 * MiB + 3)
    upload = spooled(data, tmp_path)
    assert store.put_if_absent(upload, "application/octet-stream") is True
    assert store.size(upload.digests.blake3) == len(data)
    assert read_all(store, upload.digests.blake3) == data
    assert store.put_if_absent(upload, "application/octet-stream") is False
    other = spooled(os.urandom(11 * MiB), tmp_path)
    store.replace(_under(other, upload.digests.blake3), "application/octet-stream")  # a repair, in parts
    assert read_all(store, upload.digests.blake3) == other.path.read_bytes()
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket)
    assert uploads.get("Uploads", []) == [], "no multipart upload left open"


def test_s3_conditional_put_is_refused_by_the_server(s3_endpoint: str, tmp_path: Path) -> None:
    """A racing writer got there between our HEAD and our PUT: the server's 412 means present."""
    store = s3_store(s3_endpoint)
    upload = spooled(b"raced", tmp_path)
    store.put_if_absent(upload, "text/plain")
    store._exists = lambda blake3: False  # type: ignore[method-assign]  # skip the HEAD, as a race would
    assert store.put_if_absent(upload, "text/plain") is False


def test_s3_unreachable_is_storage_unavailable(tmp_path: Path) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    store = S3BlobStore(client, "nowhere")
    with pytest.raises(StorageUnavailable):
        store.check()
    with pytest.raises(StorageUnavailable):
        store.put_if_absent(spooled(b"x", tmp_path), "text/plain")
    with pytest.raises(StorageUnavailable):
        store.read("0" * 64)


def test_s3_missing_bucket_is_storage_unavailable(s3_endpoint: str) -> None:
    store = S3BlobStore(boto3.client("s3", endpoint_url=s3_endpoint), f"absent-{uuid.uuid4().hex[:8]}")
    with pytest.raises(StorageUnavailable):
        store.check()


def test_iter_blobs_lists_what_was_stored(store: BlobStore, tmp_path: Path) -> None:
    uploads = [spooled(os.urandom(64), tmp_path) for _ in range(3)]
    for upload in uploads:
        store.put_if_absent(upload, "application/octet-stream")
    if isinstance(store, FilesystemBlobStore):
        (store.root / "blake3" / "zz").mkdir(parents=True)
        (store.root / "blake3" / "zz" / "stray.txt").write_text("not a blob")
    listed = {blob.blake3: blob.modified_at for blob in store.iter_blobs()}
    assert set(listed) == {upload.digests.blake3 for upload in uploads}
    for modified in listed.values():
        assert abs(datetime.now(UTC) - modified) < timedelta(minutes=5)
