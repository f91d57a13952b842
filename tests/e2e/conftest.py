"""The HTTP API as a client drives it, against each deployment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from archive.api.app import create_app
from archive.capture import Resolver
from archive.db.models import Blob, Version
from archive.roles import Role
from archive.services.keys import create_key
from tests.conftest import Deployment
from tests.e2e.publishing import publisher_fixture  # noqa: F401  (one publisher per test process)


@dataclass
class Api:
    client: TestClient
    keys: dict[Role, str]
    deployment: Deployment

    def auth(self, role: Role = Role.ARCHIVIST) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def upload(
        self,
        data: bytes,
        *,
        metadata: dict[str, Any] | str | None = None,
        filename: str = "document.txt",
        media_type: str = "text/plain; charset=utf-8",
        role: Role = Role.ARCHIVIST,
    ) -> httpx2.Response:
        files: dict[str, Any] = {"file": (filename, data, media_type)}
        if metadata is not None:
            raw = metadata if isinstance(metadata, str) else json.dumps(metadata)
            files["metadata"] = (None, raw, "application/json")
        return self.client.post("/v1/documents", files=files, headers=self.auth(role))

    def get(self, path: str, role: Role = Role.READER, **kwargs: Any) -> httpx2.Response:
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return self.client.get(path, headers=headers, **kwargs)

    def blob_count(self) -> int:
        with self.deployment.uow().writing() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(Blob)) or 0)

    def version_count(self) -> int:
        with self.deployment.uow().writing() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(Version)) or 0)


@contextmanager
def running_api(
    deployment: Deployment, key_prefix: str = "test", resolver: Resolver | None = None, **settings: Any
) -> Iterator[Api]:
    """The app over `deployment`, with keys for every role named `<key_prefix>-<role>` (and `settings`
    changed as given; captures resolving names with `resolver`)."""
    effective = deployment.settings.model_copy(update=settings)
    app = create_app(effective, db=deployment.db, store=deployment.store, resolver=resolver)
    keys: dict[Role, str] = {}
    with deployment.uow().writing() as uow:
        for role in Role:
            keys[role] = create_key(uow, f"{key_prefix}-{role.value}", role)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client=client, keys=keys, deployment=deployment)


@pytest.fixture
def api(deployment: Deployment) -> Iterator[Api]:
    with running_api(deployment) as running:
        yield running
