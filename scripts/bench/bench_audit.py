"""audit: `archive audit` over many small blobs and over large ones, beside `b3sum` over the same files.

The blobs are laid out as the filesystem store keeps them and their rows bulk-inserted (an audit reads only
the `blobs` table and the files), so setting up 10,000 blobs takes seconds rather than 10,000 uploads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import blake3
import harness
from harness import Figure, MiB, Results
from sqlalchemy import insert

from archive.db.models import Blob
from archive.storage.base import blob_key

LARGE_BLOB = 64 * MiB


def lay_out(workdir: Path, bodies: list[bytes]) -> list[Path]:
    """Store each body as the filesystem store would, and record it in the archive's database."""
    deployment = harness.embedded(workdir)
    harness.archive_cli(workdir, deployment, "db", "upgrade")
    rows: list[dict[str, object]] = []
    paths: list[Path] = []
    for body in bodies:
        digest = blake3.blake3(body, max_threads=blake3.blake3.AUTO).hexdigest()
        path = workdir / "blobs" / blob_key(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        path.chmod(0o444)
        paths.append(path)
        rows.append(
            {
                "blake3": digest,
                "sha256": hashlib.sha256(body).hexdigest(),
                "size": len(body),
                "media_type": "application/octet-stream",
            }
        )
    from archive.config import Settings  # noqa: PLC0415
    from archive.db.session import Database  # noqa: PLC0415

    database = Database.from_settings(Settings(database_url=deployment.database_url))
    with database.engine.begin() as connection:
        connection.execute(insert(Blob), rows)
    database.dispose()
    return paths


def time_audit(workdir: Path) -> float:
    started = time.perf_counter()
    harness.archive_cli(workdir, harness.embedded(workdir), "audit", "--batch", "500")
    return time.perf_counter() - started


def time_cli_start(workdir: Path) -> float:
    """`archive audit --help`: the interpreter and the CLI's imports, a fixed cost in every audit figure."""
    started = time.perf_counter()
    harness.archive_cli(workdir, harness.embedded(workdir), "audit", "--help")
    return time.perf_counter() - started


def time_b3sum(paths: list[Path], *options: str) -> float:
    b3sum = shutil.which("b3sum")
    if b3sum is None:
        raise RuntimeError("b3sum is not installed (apt-get install -y b3sum)")
    started = time.perf_counter()
    subprocess.run([b3sum, *options, *map(str, paths)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def _sweep(workdir: Path, bodies: list[bytes], repeats: int) -> tuple[float, float]:
    """Median seconds of (the audit, b3sum), the files warm in the page cache for both."""
    paths = lay_out(workdir, bodies)
    time_b3sum(paths)  # warm the page cache
    floors, services = [], []
    for _ in range(repeats):
        floors.append(time_b3sum(paths))
        services.append(time_audit(workdir))
    return harness.median(services), harness.median(floors)


def run_audit(work: Path, small_count: int, large_bytes: int, repeats: int, results: Results) -> None:
    small = harness.distinct_documents(small_count, "audit")
    service, floor = _sweep(work / "audit-small", small, repeats)
    results.add(
        Figure(
            f"audit: {small_count:,} small blobs",
            "blobs/s",
            small_count / service,
            small_count / floor,
            ">= 0.3 x b3sum",
            check=lambda _s, _f, r: r is not None and r >= 0.3,
            floor_name="b3sum over the same files",
            note="`archive audit --batch 500` wall time, process start included",
        )
    )
    start = harness.median([time_cli_start(work / "audit-small") for _ in range(3)])
    results.notes.append(
        f"audit: of each audit's wall time, {start:.2f} s is the CLI starting (`archive audit --help`: "
        f"the interpreter and the imports)"
    )
    harness.remove_tree(work / "audit-small")
    count = max(1, large_bytes // LARGE_BLOB)
    piece = os.urandom(LARGE_BLOB)
    large = [f"{i:016d}".encode() + piece[16:] for i in range(count)]
    service, floor = _sweep(work / "audit-large", large, repeats)
    total = count * LARGE_BLOB / MiB
    one_thread = time_b3sum(
        [p for p in (work / "audit-large" / "blobs").rglob("*") if p.is_file()], "--num-threads", "1"
    )
    results.notes.append(
        f"audit: `b3sum --num-threads 1` over the large blobs: {total / one_thread:,.0f} MiB/s "
        f"(the floor above is b3sum's default, {os.cpu_count()} threads and mmap)"
    )
    results.add(
        Figure(
            f"audit: {count} x 64 MiB blobs ({total:,.0f} MiB)",
            "MiB/s",
            total / service,
            total / floor,
            ">= 0.7 x b3sum",
            check=lambda _s, _f, r: r is not None and r >= 0.7,
            floor_name="b3sum over the same files (multi-threaded)",
        )
    )
    harness.remove_tree(work / "audit-large")
