"""The real server as a process, driven over HTTP, for tests that need one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from tests.conftest import free_port

ARCHIVE = shutil.which("archive") or str(Path(sys.executable).with_name("archive"))


def archive_env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env["ARCHIVE_DATABASE_URL"] = f"sqlite:///{workdir / 'archive.db'}"
    env["ARCHIVE_STORAGE_URL"] = f"file://{workdir / 'blobs'}"
    env.update(extra)
    return env


def run_archive(workdir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARCHIVE, *args],
        cwd=workdir,
        env=archive_env(workdir, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    stdout_path: Path
    stderr_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> tuple[str, str]:
        """Stop the server; its stdout and stderr."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.stdout_path.read_text(), self.stderr_path.read_text()


@contextmanager
def serving(workdir: Path, **extra: str) -> Iterator[Server]:
    """`archive serve` on a free port; waits until /healthz answers, stops it at the end."""
    port = free_port()
    stdout_path = workdir / f"serve-{port}.out"
    stderr_path = workdir / f"serve-{port}.err"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [ARCHIVE, "serve", "--port", str(port)],
            cwd=workdir,
            env=archive_env(workdir, **extra),
            stdout=stdout,
            stderr=stderr,
        )
    server = Server(process, f"http://127.0.0.1:{port}", stdout_path, stderr_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"archive serve exited: {stderr_path.read_text()}")
            try:
                if httpx2.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("archive serve did not become healthy")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()
