"""What every benchmark shares: the work folder, servers as processes, timing and the figures they yield."""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
ARCHIVE = str(VENV_BIN / "archive")
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "dhs-irs-deputize.txt"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MiB = 1024 * 1024

# moto accepts any credentials; boto3 needs some to sign requests.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class Figure:
    """One line of the report: the service's figure beside the floor measured in the same run."""

    name: str
    unit: str
    service: float
    floor: float | None
    goal: str
    # True when a larger service figure is better (throughput); False for latency-like figures.
    higher_is_better: bool = True
    # The goal as a predicate over (service, floor, ratio); None when the figure is informative only.
    check: Callable[[float, float | None, float | None], bool] | None = None
    note: str = ""
    floor_name: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor == 0:
            return None
        return self.service / self.floor

    @property
    def met(self) -> bool | None:
        return None if self.check is None else self.check(self.service, self.floor, self.ratio)


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print(format_figure(figure), flush=True)


def format_figure(figure: Figure) -> str:
    floor = "-" if figure.floor is None else f"{figure.floor:,.2f}"
    ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
    met = {None: "", True: "met", False: "MISSED"}[figure.met]
    return (
        f"{figure.name:<44} service {figure.service:>12,.2f} {figure.unit:<10} "
        f"floor {floor:>12} ratio {ratio:>6}  goal {figure.goal} {met}"
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def wait_healthy(process: subprocess.Popen[bytes], url: str, stderr_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {stderr_path.read_text()[-2000:]}")
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server at {url} did not become healthy")
        time.sleep(0.1)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running(argv: list[str], workdir: Path, env: dict[str, str], port: int) -> Iterator[Server]:
    """A server process listening on `port`, healthy before this yields and stopped after."""
    workdir.mkdir(parents=True, exist_ok=True)
    stdout_path = workdir / f"server-{port}.out"
    stderr_path = workdir / f"server-{port}.err"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(argv, cwd=workdir, env=env, stdout=stdout, stderr=stderr)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_healthy(process, server.url, stderr_path)
        yield server
    finally:
        server.stop()


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "BENCH_"))}
    env.update(S3_ENV)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Deployment:
    """How the service is configured for one benchmark: its database and storage."""

    name: str
    database_url: str
    storage_url: str
    s3_endpoint: str | None = None

    def env(self, workdir: Path, **extra: str) -> dict[str, str]:
        settings = {
            "ARCHIVE_DATABASE_URL": self.database_url,
            "ARCHIVE_STORAGE_URL": self.storage_url,
            "ARCHIVE_SIGNING_KEY_FILE": str(workdir / "log-signing.key"),
        }
        if self.s3_endpoint is not None:
            settings["ARCHIVE_S3_ENDPOINT_URL"] = self.s3_endpoint
            settings["ARCHIVE_S3_REGION"] = "us-east-1"
            settings["ARCHIVE_S3_ADDRESSING_STYLE"] = "path"
        return base_env(**settings, **extra)


def embedded(workdir: Path) -> Deployment:
    return Deployment("sqlite+fs", f"sqlite:///{workdir / 'archive.db'}", f"file://{workdir / 'blobs'}")


def archive_cli(workdir: Path, deployment: Deployment, *args: str, **extra: str) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [ARCHIVE, *args],
        cwd=workdir,
        env=deployment.env(workdir, **extra),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"archive {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout


@dataclass(frozen=True)
class ServiceOptions:
    """How uvicorn runs the service: `archive serve` (the default), or uvicorn's CLI with a chosen loop."""

    loop: str | None = None
    http: str | None = None
    extra_env: tuple[tuple[str, str], ...] = ()
    workers: int = 1  # `archive serve --workers N`: processes behind one port

    @property
    def label(self) -> str:
        parts = [f"{self.loop}+{self.http}"] if self.loop else []
        parts += [f"{k}={v}" for k, v in self.extra_env]
        return ", ".join(parts)


@contextmanager
def service(
    workdir: Path, deployment: Deployment, options: ServiceOptions | None = None
) -> Iterator[tuple[Server, str]]:
    """The archive, migrated, serving on a free port; yields the server and an archivist key."""
    options = options or ServiceOptions()
    workdir.mkdir(parents=True, exist_ok=True)
    archive_cli(workdir, deployment, "db", "upgrade")
    key = archive_cli(workdir, deployment, "keys", "create", "--role", "archivist", "--name", "bench")
    key = key.strip().splitlines()[-1]
    port = free_port()
    if options.loop:
        argv = [
            str(VENV_BIN / "python"),
            "-m",
            "uvicorn",
            "archive.api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--loop",
            options.loop,
            "--http",
            options.http or "auto",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    else:
        argv = [ARCHIVE, "serve", "--port", str(port)]
        if options.workers > 1:
            argv += ["--workers", str(options.workers)]
    env = deployment.env(workdir, **dict(options.extra_env))
    with running(argv, workdir, env, port) as server:
        yield server, key


@contextmanager
def floor_server(workdir: Path, database_url: str = "", content: Path | None = None) -> Iterator[Server]:
    """The bare endpoint (floor_app.py), run by uvicorn with its defaults, as `archive serve` runs."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        str(VENV_BIN / "python"),
        "-m",
        "uvicorn",
        "floor_app:create_app",
        "--factory",
        "--app-dir",
        str(BENCH_DIR),
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = base_env(
        BENCH_FLOOR_DIR=str(workdir / "files"),
        BENCH_FLOOR_DB=database_url,
        BENCH_FLOOR_CONTENT=str(content or ""),
    )
    with running(argv, workdir, env, port) as server:
        yield server


@contextmanager
def s3_server(workdir: Path) -> Iterator[str]:
    """moto's S3-compatible server on 127.0.0.1, as the tests run it."""
    port = free_port()
    log = (workdir / "moto.log").open("wb")
    process = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=base_env(),
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def new_bucket(endpoint: str) -> str:
    import boto3  # noqa: PLC0415  (only the S3 runs need it)

    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=S3_ENV["AWS_DEFAULT_REGION"],
    )
    client.create_bucket(Bucket=bucket)
    return bucket


@contextmanager
def pg_database() -> Iterator[str]:
    """A throw-away PostgreSQL database, dropped afterwards."""
    import psycopg  # noqa: PLC0415

    name = f"archive_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_available() -> bool:
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def proc_status_kib(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM … of a process, in KiB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Vm") and line.endswith("kB"):
            key, value = line.split(":", 1)
            fields[key] = int(value.split()[0])
    return fields


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not permitted."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def seed_bytes() -> bytes:
    return SEED.read_bytes()


def distinct_documents(count: int, tag: str) -> list[bytes]:
    """`count` documents the size of the seed article, each different by a few bytes."""
    seed = seed_bytes()
    return [seed + f"\n[{tag}-{i:07d}]\n".encode() for i in range(count)]
