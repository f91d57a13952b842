"""A large upload streams through the real server: its memory stays flat while 256 MiB go by."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import blake3
import httpx2
import pytest

from tests.e2e.server import run_archive, serving

MiB = 1024 * 1024
SIZE = 256 * MiB


def rss_kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB$", status, re.MULTILINE)
    assert match, status
    return int(match.group(1))


def write_large_file(path: Path) -> tuple[str, str]:
    b3, sha = blake3.blake3(), hashlib.sha256()
    block = bytes(range(256)) * (4 * 1024)  # 1 MiB, not all one byte
    with path.open("wb") as out:
        for i in range(SIZE // MiB):
            chunk = i.to_bytes(8, "big") + block[8:]
            out.write(chunk)
            b3.update(chunk)
            sha.update(chunk)
    return b3.hexdigest(), sha.hexdigest()


@pytest.mark.slow
def test_256_mib_upload_keeps_memory_flat(tmp_path: Path) -> None:
    source = tmp_path / "large.bin"
    expected_b3, expected_sha = write_large_file(source)
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "big").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}

    with (
        serving(tmp_path) as server,
        httpx2.Client(base_url=server.url, headers=headers, timeout=300) as client,
    ):
        warm = client.post("/v1/documents", files={"file": ("small.txt", b"warm-up")})
        assert warm.status_code == 201
        baseline = rss_kib(server.pid, "VmRSS")

        with source.open("rb") as body:
            response = client.post(
                "/v1/documents", files={"file": ("large.bin", body, "application/octet-stream")}
            )
        assert response.status_code == 201, response.text
        peak = rss_kib(server.pid, "VmHWM")
        version = response.json()
        assert version["size"] == SIZE
        assert version["blake3"] == expected_b3
        assert version["sha256"] == expected_sha

        b3 = blake3.blake3()
        received = 0
        with client.stream("GET", f"/v1/blobs/{expected_b3}") as download:
            assert download.status_code == 200
            for chunk in download.iter_bytes():
                b3.update(chunk)
                received += len(chunk)
        assert received == SIZE
        assert b3.hexdigest() == expected_b3

    growth_mib = (peak - baseline) / 1024
    print(f"server RSS {baseline / 1024:.1f} MiB before, {peak / 1024:.1f} MiB at peak")
    assert growth_mib < 64, f"peak memory grew by {growth_mib:.1f} MiB during a 256 MiB upload"
