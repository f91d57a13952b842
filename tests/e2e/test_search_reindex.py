"""The index rebuilt: by `archive search reindex` (on either database, the production one through its URL),
and by migration 0017's backfill of versions archived before it, on both deployments."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command

from archive.db import migrate
from archive.roles import Role
from tests.conftest import Deployment
from tests.e2e.conftest import Api
from tests.e2e.server import run_archive


def _titles(api: Api, q: str) -> list[str]:
    answer = api.get("/v1/search", params={"q": q})
    assert answer.status_code == 200, answer.text
    return [result["title"] for result in answer.json()["results"]]


def _archive_two(api: Api) -> None:
    for title, text in (
        ("Airships", b"Intro.\n\nZeppelins over the bay."),
        ("Tides", b"Intro.\n\nHigh tides."),
    ):
        created = api.upload(text, metadata={"title": title, "language": "en"})
        assert created.status_code == 201, created.text


def test_the_cli_rebuilds_the_index(api: Api, deployment: Deployment, tmp_path: Path) -> None:
    _archive_two(api)
    with deployment.uow().writing() as uow:
        uow.search.clear()
    assert _titles(api, "zeppelin") == []
    extra = {"ARCHIVE_DATABASE_URL": deployment.settings.database_url}
    rebuilt = run_archive(tmp_path, "search", "reindex", "--json", **extra)
    assert rebuilt.returncode == 0, rebuilt.stderr
    engine = "sqlite-fts5" if deployment.name == "embedded" else "postgresql-tsvector"
    assert json.loads(rebuilt.stdout) == {"engine": engine, "indexed": 2, "held": 2}
    assert "indexing versions" in rebuilt.stderr
    assert _titles(api, "zeppelin") == ["Airships"] and _titles(api, "tide") == ["Tides"]


def test_the_migration_indexes_versions_archived_before_it(api: Api, deployment: Deployment) -> None:
    _archive_two(api)
    corrected = api.client.post(
        "/v1/documents",
        files={"file": ("c.txt", b"Intro.\n\nA third, by Ada.", "text/plain")},
        data={
            "metadata": json.dumps(
                {"title": "Third", "credits": [{"name": "Ada Lovelace", "role": "author"}]}
            )
        },
        headers=api.auth(Role.ARCHIVIST),
    )
    assert corrected.status_code == 201, corrected.text
    config = migrate.alembic_config(deployment.db.engine)
    command.downgrade(config, "0016")
    try:
        assert migrate.current_revision(deployment.db.engine) == "0016"
    finally:
        migrate.upgrade(deployment.db.engine)
    assert _titles(api, "zeppelin") == ["Airships"] and _titles(api, "lovelace") == ["Third"]
    with deployment.uow().reading() as uow:
        assert uow.search.count() == 3
