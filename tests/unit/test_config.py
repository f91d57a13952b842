from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import FileStorageLocation, S3StorageLocation, load_settings
from archive.errors import ConfigurationError
from archive.ledger.cosignatures import CosignerKey


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


def test_witnesses_are_read_as_url_and_key_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    key = CosignerKey("witness.example/w1", bytes(range(32)))
    second = CosignerKey("witness.example/w2", bytes(range(1, 33)))
    monkeypatch.setenv(
        "ARCHIVE_WITNESSES", f"https://w1.example/ {key.vkey},\n http://127.0.0.1:9/w {second.vkey}\n"
    )
    listed = load_settings().witness_list()
    assert [(url, k.ident) for url, k in listed] == [
        ("https://w1.example/", key.ident),
        ("http://127.0.0.1:9/w", second.ident),
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ARCHIVE_WITNESSES", "https://w.example/", "is not `<http(s) URL> <witness vkey>`"),
        ("ARCHIVE_WITNESSES", "ftp://w.example/ a+00000000+AAAA", "is not `<http(s) URL> <witness vkey>`"),
        (
            "ARCHIVE_WITNESSES",
            "https://w.example/ log+00000000+AAAA",
            "ARCHIVE_WITNESSES: https://w.example/",
        ),
        ("ARCHIVE_TSA_URL", "http://127.0.0.1:9/tsa", "ARCHIVE_TSA_URL needs ARCHIVE_TSA_CA_FILE"),
        ("ARCHIVE_CHECKPOINT_INTERVAL", "0", "checkpoint_interval"),
    ],
)
def test_bad_publication_settings_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings()


def test_a_tsa_ca_file_must_hold_certificates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "empty.pem").write_text("no certificate here\n")
    monkeypatch.setenv("ARCHIVE_TSA_URL", "http://127.0.0.1:9/tsa")
    monkeypatch.setenv("ARCHIVE_TSA_CA_FILE", str(tmp_path / "empty.pem"))
    with pytest.raises(ConfigurationError, match="no PEM certificate"):
        load_settings()
