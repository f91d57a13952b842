from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import FileStorageLocation, S3StorageLocation, load_settings
from archive.errors import ConfigurationError


def test_defaults_are_the_embedded_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ARCHIVE_DATABASE_URL", "ARCHIVE_STORAGE_URL", "ARCHIVE_SPOOL_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.sqlalchemy_url() == "sqlite:///./data/archive.db"
    assert settings.storage_location() == FileStorageLocation(Path("data/blobs"))
    assert settings.effective_spool_dir() == Path("data/blobs/staging")
    assert settings.public_read is False


def test_environment_is_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_STORAGE_URL", "s3://my-bucket/some/prefix")
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", "postgresql://u:p@db:5432/archive")
    monkeypatch.setenv("ARCHIVE_PUBLIC_READ", "true")
    monkeypatch.setenv("ARCHIVE_MAX_UPLOAD_BYTES", "1048576")
    settings = load_settings()
    assert settings.storage_location() == S3StorageLocation("my-bucket", "some/prefix")
    assert settings.sqlalchemy_url() == "postgresql+psycopg://u:p@db:5432/archive"
    assert settings.public_read is True
    assert settings.max_upload_bytes == 1048576
    assert settings.effective_spool_dir() is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ARCHIVE_STORAGE_URL", "ftp://host/x", "unsupported scheme"),
        ("ARCHIVE_STORAGE_URL", "s3://Bad_Bucket/x", "not a valid S3 bucket"),
        ("ARCHIVE_STORAGE_URL", "s3://bucket/a/../b", "dot segment"),
        ("ARCHIVE_STORAGE_URL", "file://", "needs a path"),
        ("ARCHIVE_DATABASE_URL", "mysql://root@localhost/x", "unsupported database"),
        ("ARCHIVE_DATABASE_URL", "sqlite://", "in-memory"),
        ("ARCHIVE_DATABASE_URL", "not a url", "not a database URL"),
        ("ARCHIVE_MAX_UPLOAD_BYTES", "0", "max_upload_bytes"),
        ("ARCHIVE_MAX_UPLOAD_BYTES", "lots", "max_upload_bytes"),
        ("ARCHIVE_S3_MULTIPART_CHUNK_SIZE", "1024", "s3_multipart_chunk_size"),
        ("ARCHIVE_S3_REQUEST_CHECKSUM_CALCULATION", "sometimes", "s3_request_checksum_calculation"),
        ("ARCHIVE_PORT", "70000", "port"),
    ],
)
def test_unsafe_values_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()


def test_upload_limit_must_fit_in_s3_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_MAX_UPLOAD_BYTES", str(5 * 1024**4))
    monkeypatch.setenv("ARCHIVE_S3_MULTIPART_CHUNK_SIZE", str(5 * 1024**2))
    with pytest.raises(ConfigurationError, match="parts"):
        load_settings()
