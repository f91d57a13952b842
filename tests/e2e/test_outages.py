"""Database or storage down: 503 with Retry-After, readiness says which, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import boto3
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
