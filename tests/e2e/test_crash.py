"""Crash consistency: SIGKILL the real server at random moments during concurrent uploads, several times.

Every upload that got a 201 must be retrievable with the acknowledged digests; no row may point at a blob
storage lacks; what unacknowledged uploads left behind is at most unreferenced blobs, which `archive gc`
removes. Run alone with `pytest -m crash -s` to see the counts.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path

import blake3
import httpx2
import pytest

from archive.config import Settings
from archive.storage import open_blob_store
from tests.e2e.server import run_archive, serving

ROUNDS = 4
UPLOADERS = 6


@pytest.mark.crash
def test_acknowledged_uploads_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "crash").stdout.strip()
    acknowledged: list[tuple[str, int, str, str]] = []  # document id, version, blake3, sha256
    lock = threading.Lock()
    attempts = 0

    for _ in range(ROUNDS):
        with serving(tmp_path) as server:
            stop = threading.Event()

            def uploader(seed: int, url: str = server.url, stop: threading.Event = stop) -> None:
                nonlocal attempts
                local = random.Random(seed)
                with httpx2.Client(
                    base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10
                ) as client:
                    while not stop.is_set():
                        data = os.urandom(local.choice([100, 5_000, 300_000]))
                        with lock:
                            attempts += 1
                        try:
                            response = client.post("/v1/documents", files={"file": ("f.bin", data)})
                        except httpx2.TransportError:
                            return  # the server died under us: this upload was never acknowledged
                        if response.status_code == 201:
                            body = response.json()
                            assert body["blake3"] == blake3.blake3(data).hexdigest()
                            with lock:
                                acknowledged.append(
                                    (body["document_id"], body["version"], body["blake3"], body["sha256"])
                                )

            threads = [threading.Thread(target=uploader, args=(rng.random(),)) for _ in range(UPLOADERS)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.4, 1.5))
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            stop.set()
            for thread in threads:
                thread.join()

    assert acknowledged, "some uploads were acknowledged before the kills"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'archive.db'}", storage_url=f"file://{tmp_path / 'blobs'}"
    )
    store = open_blob_store(settings)
    with serving(tmp_path) as server:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx2.Client(base_url=server.url, headers=headers, timeout=30) as client:
            lost = 0
            for document_id, version, b3, _sha in acknowledged:
                fetched = client.get(f"/v1/documents/{document_id}/versions/{version}/content")
                if fetched.status_code != 200 or blake3.blake3(fetched.content).hexdigest() != b3:
                    lost += 1
            assert lost == 0

    with sqlite3.connect(tmp_path / "archive.db") as db:
        rows = [digest for (digest,) in db.execute("SELECT blake3 FROM blobs")]
    stored = {blob.blake3 for blob in store.iter_blobs()}
    dangling = [digest for digest in rows if digest not in stored]
    orphans = stored - set(rows)
    assert dangling == []

    collected = run_archive(tmp_path, "gc", "--grace-seconds", "0")
    assert collected.returncode == 0, collected.stderr
    assert f"unreferenced deleted {len(orphans)}" in collected.stdout
    assert {blob.blake3 for blob in store.iter_blobs()} == set(rows)
    print(
        f"\ncrash runs: {ROUNDS} kills; uploads attempted {attempts}, acknowledged {len(acknowledged)}, "
        f"lost 0, dangling rows 0, orphans collected {len(orphans)}"
    )
