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

from tests.conftest import ROOT
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


def test_aics_tlog_proves_inclusion_and_consistency_from_the_tiles(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "ana").stdout.strip()
    auth = {"Authorization": f"Bearer {key}"}
    with serving(tmp_path, ARCHIVE_PUBLIC_LOG="true") as server:
        for n in range(300):  # past the first full tile
            files = {"file": (f"{n}.txt", f"document {n}\n".encode(), "text/plain")}
            assert httpx2.post(f"{server.url}/v1/documents", files=files, headers=auth).status_code == 201
        tiles = f"{server.url}/v1/log"
        log_key = httpx2.get(f"{tiles}/key").text.strip()
        old = httpx2.get(f"{tiles}/checkpoint").text
        (tmp_path / "old.checkpoint").write_text(old)
        for n in range(300, 310):
            files = {"file": (f"{n}.txt", f"document {n}\n".encode(), "text/plain")}
            assert httpx2.post(f"{server.url}/v1/documents", files=files, headers=auth).status_code == 201
        entry = httpx2.get(f"{tiles}/entries/5").json()["entry"]
        (tmp_path / "leaf").write_bytes(entry.encode())

        included = aics_tlog(
            "verify-inclusion",
            "--tiles",
            tiles,
            "--log-key",
            log_key,
            "--index",
            "5",
            "--leaf",
            str(tmp_path / "leaf"),
        )
        assert included["exit"] == 0, included
        consistent = aics_tlog(
            "verify-consistency",
            "--tiles",
            tiles,
            "--log-key",
            log_key,
            "--old-checkpoint",
            str(tmp_path / "old.checkpoint"),
        )
        assert consistent["exit"] == 0, consistent
        assert consistent["new_size"] > consistent["old_size"] > 256
        wrong = aics_tlog(
            "verify-inclusion",
            "--tiles",
            tiles,
            "--log-key",
            log_key,
            "--index",
            "6",
            "--leaf",
            str(tmp_path / "leaf"),
        )
        assert wrong["exit"] == 1
