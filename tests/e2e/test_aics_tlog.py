"""The tiles read by a tlog-tiles client nobody here wrote: aics-tlog (pinned, in the aics-witness
environment `scripts/tools` makes) against a real `archive serve` on loopback, with no proxy in its
environment, proving inclusion and consistency from the published tiles alone."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx2
import pytest

from archive.db.models import utcnow
from archive.ledger import key_created
from archive.services.log import append_event
from tests.conftest import ROOT, embedded_deployment
from tests.e2e.server import run_archive, serving

AICS_TLOG = ROOT / ".tools" / "aics-witness" / "bin" / "aics-tlog"


def aics_tlog(*args: str) -> dict[str, Any]:
    if not AICS_TLOG.exists():
        pytest.fail("aics-tlog is not installed: run scripts/tools", pytrace=False)
    # Nothing but loopback: no proxy it could be sent through.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    done = subprocess.run(
        [str(AICS_TLOG), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    report: dict[str, Any] = json.loads(done.stdout)
    report["exit"] = done.returncode
    return report


def append_leaves(workdir: Path, count: int) -> None:
    """`count` leaves appended to the archive in `workdir` directly, as many uploads would have."""
    deployment = embedded_deployment(workdir, signing_key_file=workdir / "data" / "log-signing.key")
    with deployment.uow().writing() as uow:
        for n in range(count):
            append_event(uow.log, key_created(key_name=f"k{n}", role="reader", time=utcnow(), actor="test"))
    deployment.db.dispose()


def upload(url: str, key: str, n: int) -> None:
    files = {"file": (f"{n}.txt", f"document {n}\n".encode(), "text/plain")}
    response = httpx2.post(
        f"{url}/v1/documents", files=files, headers={"Authorization": f"Bearer {key}"}, timeout=120
    )
    assert response.status_code == 201, response.text


def test_aics_tlog_proves_inclusion_and_consistency_from_the_tiles(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "ana").stdout.strip()
    append_leaves(tmp_path, 280)  # past the first full tile
    with serving(tmp_path, ARCHIVE_PUBLIC_LOG="true") as server:
        upload(server.url, key, 0)
        tiles = f"{server.url}/v1/log"
        log_key = httpx2.get(f"{tiles}/key", timeout=60).text.strip()
        (tmp_path / "old.checkpoint").write_text(httpx2.get(f"{tiles}/checkpoint", timeout=60).text)
        upload(server.url, key, 1)
        entry = httpx2.get(
            f"{tiles}/entries/5", headers={"Authorization": f"Bearer {key}"}, timeout=60
        ).json()["entry"]
        (tmp_path / "leaf").write_bytes(entry.encode())
        common = ["--tiles", tiles, "--log-key", log_key]

        included = aics_tlog("verify-inclusion", *common, "--index", "5", "--leaf", str(tmp_path / "leaf"))
        assert included["exit"] == 0, included
        consistent = aics_tlog(
            "verify-consistency", *common, "--old-checkpoint", str(tmp_path / "old.checkpoint")
        )
        assert consistent["exit"] == 0, consistent
        assert consistent["new_size"] > consistent["old_size"] > 256
        wrong = aics_tlog("verify-inclusion", *common, "--index", "6", "--leaf", str(tmp_path / "leaf"))
        assert wrong["exit"] == 1
