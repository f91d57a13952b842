"""Blob storage: a narrow `BlobStore` protocol, its backends, and the key layout they share."""

from __future__ import annotations

from archive.config import FileStorageLocation, Settings
from archive.storage.base import BlobStore, ByteRange, StoredBlob, blob_key
from archive.storage.filesystem import FilesystemBlobStore
from archive.storage.memory import MemoryBlobStore

__all__ = [
    "BlobStore",
    "ByteRange",
    "FilesystemBlobStore",
    "MemoryBlobStore",
    "StoredBlob",
    "blob_key",
    "open_blob_store",
    "open_replica_store",
]


def open_blob_store(settings: Settings) -> BlobStore:
    """The store `settings.storage_url` names. Connects to nothing until first used."""
    location = settings.storage_location()
    if isinstance(location, FileStorageLocation):
        return FilesystemBlobStore(location.root)
    # boto3 loads only when S3 is configured
    from archive.storage.s3 import S3BlobStore  # noqa: PLC0415

    return S3BlobStore.from_settings(settings, location)


def open_replica_store(settings: Settings) -> BlobStore | None:
    """The second copy `settings.replica_url` names (None when unset). Connects to nothing until used."""
    if settings.replica_url is None:
        return None
    return open_blob_store(settings.replica_settings())
