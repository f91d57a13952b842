"""peers: the same documents and changes archived by ocfl-py, by git, and by the service over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import harness
import httpx2
from harness import Figure, Results
from load import TEXT, Target, source_metadata, upload_many

OCFL_PY = "ocfl-py==2.1.0"
CHANGES = 100


def make_corpus(count: int) -> tuple[list[bytes], list[bytes]]:
    """`count` documents, and a new version of each of the first `CHANGES`."""
    docs = harness.distinct_documents(count, "peer")
    changes = [
        body.replace(b"[peer-", b"[peer-corrected-") + b"Correction: a fact was fixed.\n" for body in docs
    ]
    return docs, changes[: min(CHANGES, count)]


def write_corpus(folder: Path, bodies: list[bytes]) -> Path:
    folder.mkdir(parents=True)
    for index, body in enumerate(bodies):
        (folder / f"{index}.txt").write_bytes(body)
    return folder


def ocfl_venv(work: Path) -> Path:
    """A throw-away virtualenv with ocfl-py (it pins an older botocore than the project's)."""
    venv = work / "ocfl-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", OCFL_PY],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        raise RuntimeError(f"cannot install {OCFL_PY}: {installed.stderr[-2000:]}")
    return venv / "bin" / "python"


def time_ocfl(work: Path, docs: list[bytes], changes: list[bytes]) -> float:
    python = ocfl_venv(work)
    docs_dir = write_corpus(work / "ocfl-docs", docs)
    changes_dir = write_corpus(work / "ocfl-changes", changes)
    objects = work / "ocfl-objects"
    objects.mkdir()
    output = subprocess.run(
        [str(python), str(harness.BENCH_DIR / "peer_ocfl.py"), str(docs_dir), str(changes_dir), str(objects)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(json.loads(output.strip().splitlines()[-1])["seconds"])


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, stdout=subprocess.DEVNULL)


def time_git(work: Path, docs: list[bytes], changes: list[bytes]) -> float:
    """A commit per document and per change, each file written, added and committed."""
    repo = work / "git-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.name", "bench")
    _git(repo, "config", "user.email", "bench@example.org")
    _git(repo, "config", "commit.gpgsign", "false")
    started = time.perf_counter()
    for index, body in [*enumerate(docs), *enumerate(changes)]:
        name = f"{index}.txt"
        (repo / name).write_bytes(body)
        _git(repo, "add", name)
        _git(repo, "commit", "-q", "-m", f"archive {name}")
    return time.perf_counter() - started


def time_service_sequential(target: Target, docs: list[bytes], changes: list[bytes]) -> float:
    """One client, one document after another: the same loop as git's and ocfl-py's."""
    headers = target.headers
    started = time.perf_counter()
    with httpx2.Client(timeout=120) as client:
        for index, body in [*enumerate(docs), *enumerate(changes)]:
            response = client.post(
                target.url,
                headers=headers,
                files={"file": (f"{index}.txt", body, TEXT)},
                data={"metadata": source_metadata(f"https://peers.example.org/{index}")},
            )
            if response.status_code != 201:
                raise RuntimeError(f"upload {index}: {response.status_code} {response.text[:300]}")
    return time.perf_counter() - started


def time_service(
    work: Path, docs: list[bytes], changes: list[bytes], concurrency: int
) -> tuple[float, float | None]:
    """Seconds for the documents and then the changes: one client, and (unless `concurrency` is 1)
    `concurrency` clients."""
    with harness.service(work / "svc-peers", harness.embedded(work / "svc-peers")) as (server, key):
        target = Target(f"{server.url}/v1/documents", key)
        sequential = time_service_sequential(target, docs, changes)
        if concurrency <= 1:
            return sequential, None
        tagged_docs = [body + b"c" for body in docs]
        tagged_changes = [body + b"c" for body in changes]
        urls = [source_metadata(f"https://concurrent.example.org/{i}") for i in range(len(docs))]
        first, _ = upload_many(target, tagged_docs, concurrency, urls)
        second, _ = upload_many(target, tagged_changes, concurrency, urls[: len(changes)])
    return sequential, first + second


def run_peers(work: Path, count: int, concurrency: int, results: Results) -> None:
    work.mkdir(parents=True, exist_ok=True)
    docs, changes = make_corpus(count)
    total = len(docs) + len(changes)
    git_rate = total / time_git(work, docs, changes)
    ocfl_rate = total / time_ocfl(work, docs, changes)
    sequential, concurrent = time_service(work, docs, changes, concurrency)
    faster = max(git_rate, ocfl_rate)
    label = f"peers: {len(docs)} docs + {len(changes)} versions"
    results.add(Figure(f"{label}, git (commit each)", "docs/s", git_rate, None, "informative"))
    results.add(Figure(f"{label}, ocfl-py (object/version each)", "docs/s", ocfl_rate, None, "informative"))
    results.add(
        Figure(
            f"{label}, service 1 client vs faster peer",
            "docs/s",
            total / sequential,
            faster,
            ">= 2 x faster peer",
            check=lambda _s, _f, r: r is not None and r >= 2,
            floor_name="the faster of git and ocfl-py, one process, one document after another",
        )
    )
    if concurrent is None:
        return
    results.add(
        Figure(
            f"{label}, service {concurrency} clients vs faster peer",
            "docs/s",
            total / concurrent,
            faster,
            "informative",
            floor_name="the faster of git and ocfl-py",
        )
    )
