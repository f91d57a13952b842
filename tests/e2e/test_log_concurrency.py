"""Two server processes over one PostgreSQL append to the log at once and never fork it."""

from __future__ import annotations

import base64
import itertools
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import psycopg
import pytest

from archive.ledger import Checkpoint, Verifier, open_checkpoint, verify_consistency
from tests.conftest import PG_ADMIN_URL
from tests.e2e.server import run_archive, serving

UPLOADS_PER_THREAD = 8
THREADS_PER_SERVER = 3


@pytest.fixture
def pg_archive_url() -> Iterator[str]:
    name = f"archive_log_race_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_two_servers_append_at_once_and_sign_one_history(pg_archive_url: str, tmp_path: Path) -> None:
    env = {"ARCHIVE_DATABASE_URL": pg_archive_url, "ARCHIVE_LOG_ORIGIN": "race.test/log"}
    assert run_archive(tmp_path, "db", "upgrade", **env).returncode == 0
    key = run_archive(
        tmp_path, "keys", "create", "--role", "archivist", "--name", "racer", **env
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    notes: list[str] = []
    indexes: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    with serving(tmp_path, **env) as one, serving(tmp_path, **env) as two:

        def upload_and_sign(url: str) -> None:
            try:
                with httpx2.Client(base_url=url, headers=headers, timeout=60) as client:
                    for _ in range(UPLOADS_PER_THREAD):
                        files = {"file": ("x.bin", os.urandom(256), "application/octet-stream")}
                        response = client.post("/v1/documents", files=files)
                        assert response.status_code == 201, response.text
                        note = client.get("/v1/log/checkpoint")
                        assert note.status_code == 200, note.text
                        with lock:
                            indexes.append(response.json()["log_index"])
                            notes.append(note.text)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [
            threading.Thread(target=upload_and_sign, args=(server.url,))
            for server in (one, two)
            for _ in range(THREADS_PER_SERVER)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []

        verifier = Verifier.from_vkey(httpx2.get(f"{one.url}/v1/log/key", headers=headers).text.strip())
        assert httpx2.get(f"{two.url}/v1/log/key", headers=headers).text.strip() == verifier.vkey
        checkpoints: dict[int, Checkpoint] = {}
        for note in notes:
            signed = open_checkpoint(note, [verifier], origin="race.test/log")
            assert checkpoints.setdefault(signed.size, signed) == signed, "one size, one root"
        sizes = sorted(checkpoints)
        for old, new in itertools.pairwise(sizes):
            proof = httpx2.get(
                f"{two.url}/v1/log/proof/consistency", params={"from": old, "to": new}, headers=headers
            ).json()["hashes"]
            verify_consistency(
                old,
                new,
                checkpoints[old].root_hash,
                checkpoints[new].root_hash,
                [base64.b64decode(h) for h in proof],
            )

    uploads = 2 * THREADS_PER_SERVER * UPLOADS_PER_THREAD
    assert len(set(indexes)) == uploads, "no two versions share a leaf"
    assert sorted(indexes) == list(range(1, uploads + 1)), "leaf 0 is the key's creation"
    assert max(sizes) == uploads + 1
    verified = run_archive(tmp_path, "log", "verify", **env)
    assert verified.returncode == 0, verified.stderr
