"""Database or storage down: 503 with Retry-After, readiness says which, nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from archive.api.app import create_app
from archive.config import Settings
from archive.db.models import Blob, Document
from archive.db.session import Database
from archive.roles import Role
from archive.services.keys import create_key
from archive.storage.s3 import S3BlobStore
from tests.conftest import Deployment, embedded_deployment, free_port


def unreachable_s3() -> S3BlobStore:
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    return S3BlobStore(client, "archive-down")


def test_storage_down(tmp_path: Path) -> None:
    deployed = embedded_deployment(tmp_path)
    with deployed.uow().writing() as uow:
        key = create_key(uow, "archivist", Role.ARCHIVIST)
    app = create_app(deployed.settings, db=deployed.db, store=unreachable_s3())
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        upload = client.post("/v1/documents", files={"file": ("a.txt", b"during an outage")}, headers=headers)
        assert upload.status_code == 503
        assert upload.headers["retry-after"].isdigit()
        assert upload.headers["content-type"] == "application/problem+json"
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["storage"] != "ok"
    with deployed.uow().writing() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Document)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Blob)) == 0
    staging = deployed.settings.effective_spool_dir()
    assert staging is not None and not any(staging.iterdir()), "the spool file was removed"


def test_blob_read_with_storage_down_is_503(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        key = create_key(uow, "archivist", Role.ARCHIVIST)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(deployment.settings, db=deployment.db, store=deployment.store)) as client:
        version = client.post("/v1/documents", files={"file": ("a.txt", b"kept")}, headers=headers).json()
    down = create_app(deployment.settings, db=deployment.db, store=unreachable_s3())
    with TestClient(down, raise_server_exceptions=False) as client:
        response = client.get(f"/v1/blobs/{version['blake3']}", headers=headers)
        assert response.status_code == 503
        assert "retry-after" in response.headers
        head = client.head(f"/v1/blobs/{version['blake3']}", headers=headers)
        assert head.status_code == 503


def test_database_down(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/archive",
        storage_url=f"file://{tmp_path / 'blobs'}",
        signing_key_file=tmp_path / "log-signing.key",
        db_connect_timeout=1,
    )
    app = create_app(settings, db=Database.from_settings(settings))
    # Started without its lifespan (which would refuse to start): the database went away later.
    client = TestClient(app, raise_server_exceptions=False)
    upload = client.post(
        "/v1/documents",
        files={"file": ("a.txt", b"x")},
        headers={"Authorization": "Bearer ark_0123456789abcdef_" + "A" * 43},
    )
    assert upload.status_code == 503
    assert upload.headers["retry-after"].isdigit()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] != "ok"
    assert ready.json()["checks"]["storage"] == "ok"
    blobs = tmp_path / "blobs" / "blake3"
    assert not blobs.exists() or not any(p.is_file() for p in blobs.rglob("*"))


def _archivist(deployed: Deployment) -> dict[str, str]:
    with deployed.uow().writing() as uow:
        return {"Authorization": f"Bearer {create_key(uow, 'archivist', Role.ARCHIVIST)}"}


def _nothing_archived(deployed: Deployment) -> None:
    with deployed.uow().writing() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Document)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Blob)) == 0


def test_a_blob_folder_that_is_not_a_folder_is_503_and_recovers(tmp_path: Path) -> None:
    deployed = embedded_deployment(tmp_path)
    headers = _archivist(deployed)
    blobs = tmp_path / "blobs"
    shutil.rmtree(blobs, ignore_errors=True)
    blobs.write_text("a file where the blob folder should be")  # ENOTDIR for everything under it
    app = create_app(deployed.settings, db=deployed.db, store=deployed.store)
    with TestClient(app, raise_server_exceptions=False) as client:
        upload = client.post("/v1/documents", files={"file": ("a.txt", b"nowhere to go")}, headers=headers)
        assert upload.status_code == 503, upload.text
        assert upload.json()["errno"] == "ENOTDIR"
        assert str(tmp_path) not in upload.text, "the server's paths are for its log, not its clients"
        assert upload.headers["retry-after"].isdigit()
        fetched = client.get(f"/v1/blobs/{'0' * 64}", headers=headers)
        assert str(tmp_path) not in fetched.text
        _nothing_archived(deployed)
        blobs.unlink()  # the folder missing altogether: it is made again
        again = client.post("/v1/documents", files={"file": ("a.txt", b"nowhere to go")}, headers=headers)
        assert again.status_code == 201, again.text


def test_a_full_disk_while_spooling_is_507_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spool file is written to /dev/full, where the kernel answers every write with ENOSPC."""
    deployed = embedded_deployment(tmp_path)
    headers = _archivist(deployed)
    created: list[Path] = []

    def full_disk(prefix: str = "", suffix: str = "", dir: Path | None = None) -> tuple[int, str]:
        assert dir is not None
        dir.mkdir(parents=True, exist_ok=True)
        path = dir / f"{prefix}full{suffix}"
        path.touch()
        created.append(path)
        return os.open("/dev/full", os.O_WRONLY), str(path)

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    app = create_app(deployed.settings, db=deployed.db, store=deployed.store)
    with TestClient(app, raise_server_exceptions=False) as client:
        data = os.urandom(300_000)
        upload = client.post("/v1/documents", files={"file": ("a.bin", data)}, headers=headers)
        assert upload.status_code == 507, upload.text
        assert upload.json()["title"] == "Insufficient storage"
        assert upload.json()["errno"] == "ENOSPC"
    assert created and not any(path.exists() for path in created), "the partial spool file was removed"
    _nothing_archived(deployed)


def test_a_full_blob_store_is_507_and_nothing_is_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployed = embedded_deployment(tmp_path)
    headers = _archivist(deployed)

    def no_space(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "link", no_space)  # where the store links the spooled file into place
    app = create_app(deployed.settings, db=deployed.db, store=deployed.store)
    with TestClient(app, raise_server_exceptions=False) as client:
        upload = client.post("/v1/documents", files={"file": ("a.txt", b"no room")}, headers=headers)
        assert upload.status_code == 507, upload.text
    _nothing_archived(deployed)
    assert not list((tmp_path / "blobs").glob("blake3/*/*/*")), "nothing under a blob's name"
    staging = deployed.settings.effective_spool_dir()
    assert staging is not None and not any(staging.iterdir()), "the spool file was removed"
