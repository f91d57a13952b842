"""large, small and fetch: the service over HTTP beside the bare endpoint, same client, same run."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import harness
from harness import Deployment, Figure, MiB, Results, ServiceOptions
from load import Target, boto3_put_many, upload_file, upload_many, wrk_run


@dataclass(frozen=True)
class HttpPlan:
    large_bytes: int
    small_count: int
    concurrency: int
    fetch_seconds: int
    fetch_connections: int
    repeats: int
    small_repeats: int = 1


def make_large_file(path: Path, size: int) -> None:
    """`size` random bytes (written in 16 MiB pieces)."""
    piece = os.urandom(16 * MiB)
    with path.open("wb") as out:
        remaining = size
        while remaining > 0:
            out.write(piece[: min(remaining, len(piece))])
            remaining -= len(piece)


def vary_head(path: Path, run: int) -> None:
    """Make the file's bytes distinct from earlier runs' (the archive stores identical bytes once)."""
    with path.open("r+b") as out:
        out.write(f"{run:016d}".encode())


class PeakSampler:
    """Samples a process's RSS every 20 ms and reads VmHWM after a reset, whichever is higher."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, harness.proc_status_kib(self.pid)["VmRSS"])
            time.sleep(0.02)

    @contextmanager
    def sampling(self) -> Iterator[int]:
        """Yields the RSS before; on exit `peak_kib` holds the peak since."""
        harness.reset_peak_rss(self.pid)
        before = harness.proc_status_kib(self.pid)["VmRSS"]
        self.peak_kib = before
        self._thread.start()
        try:
            yield before
        finally:
            self._stop.set()
            self._thread.join()
            self.peak_kib = max(self.peak_kib, harness.proc_status_kib(self.pid)["VmHWM"])


def _large_runs(target: Target, path: Path, repeats: int, pid: int | None) -> tuple[list[float], list[float]]:
    """MiB/s of each run, and the server's peak RSS growth (MiB) in each when `pid` is given."""
    rates: list[float] = []
    growths: list[float] = []
    size = path.stat().st_size
    for run in range(repeats):
        vary_head(path, run + int(time.time()))
        if pid is None:
            rates.append(size / MiB / harness.timed(lambda: upload_file(target, path)))
            continue
        sampler = PeakSampler(pid)
        with sampler.sampling() as before:
            rates.append(size / MiB / harness.timed(lambda: upload_file(target, path)))
        growths.append((sampler.peak_kib - before) / 1024)
    return rates, growths


def service_large(
    workdir: Path, path: Path, repeats: int, options: ServiceOptions | None = None
) -> tuple[float, float]:
    """The service's median MiB/s and worst peak RSS growth (MiB) for a streamed upload of `path`."""
    deployment = harness.embedded(workdir)
    with harness.service(workdir, deployment, options) as (server, key):
        target = Target(f"{server.url}/v1/documents", key)
        rates, growths = _large_runs(target, path, repeats, server.pid)
    return harness.median(rates), max(growths)


def floor_large(workdir: Path, path: Path, repeats: int) -> float:
    with harness.floor_server(workdir) as floor:
        rates, _ = _large_runs(Target(f"{floor.url}/upload"), path, repeats, None)
    return harness.median(rates)


def run_large(work: Path, plan: HttpPlan, results: Results) -> None:
    path = work / "large.bin"
    make_large_file(path, plan.large_bytes)
    size_label = f"{plan.large_bytes // MiB} MiB"
    floor = floor_large(work / "floor-large", path, plan.repeats)
    rate, growth = service_large(work / "svc-large", path, plan.repeats)
    results.add(
        Figure(
            f"large: {size_label} upload, sqlite+fs",
            "MiB/s",
            rate,
            floor,
            ">= 0.6 x floor",
            check=lambda _s, _f, r: r is not None and r >= 0.6,
            floor_name="bare endpoint: stream, BLAKE3+SHA-256, write, fsync",
        )
    )
    results.add(
        Figure(
            f"large: peak RSS growth during {size_label}",
            "MiB",
            growth,
            None,
            "< 64 MiB (for 1 GiB)",
            higher_is_better=False,
            check=lambda s, _f, _r: s < 64,
            floor_name="VmHWM after reset - VmRSS before, server process",
        )
    )
    path.unlink()


def _small_service(
    work: Path, deployment: Deployment, bodies: list[bytes], concurrency: int, repeats: int
) -> float:
    rates = []
    with harness.service(work, deployment) as (server, key):
        target = Target(f"{server.url}/v1/documents", key)
        for run in range(repeats):
            varied = [body + f"r{run}".encode() for body in bodies]
            elapsed, _ = upload_many(target, varied, concurrency)
            rates.append(len(bodies) / elapsed)
    return harness.median(rates)


def _small_floor(work: Path, database_url: str, bodies: list[bytes], concurrency: int, repeats: int) -> float:
    rates = []
    with harness.floor_server(work, database_url) as floor:
        for run in range(repeats):
            varied = [body + f"r{run}".encode() for body in bodies]
            elapsed, _ = upload_many(Target(f"{floor.url}/upload"), varied, concurrency)
            rates.append(len(bodies) / elapsed)
    return harness.median(rates)


def _small_figure(name: str, service: float, floor: float, goal: float, floor_name: str) -> Figure:
    return Figure(
        name,
        "docs/s",
        service,
        floor,
        f">= {goal} x floor",
        check=lambda _s, _f, r: r is not None and r >= goal,
        floor_name=floor_name,
    )


def run_small(work: Path, plan: HttpPlan, results: Results, with_production: bool) -> None:
    bodies = harness.distinct_documents(plan.small_count, "small")
    label = f"small: {plan.small_count} docs x {plan.concurrency} clients"
    floor = _small_floor(
        work / "floor-sqlite",
        f"sqlite:///{work / 'floor-sqlite.db'}",
        bodies,
        plan.concurrency,
        plan.small_repeats,
    )
    service = _small_service(
        work / "svc-small", harness.embedded(work / "svc-small"), bodies, plan.concurrency, plan.small_repeats
    )
    results.add(
        _small_figure(f"{label}, sqlite+fs", service, floor, 0.5, "bare endpoint + fsync + SQLite row")
    )
    if not with_production:
        return
    with harness.pg_database() as floor_db:
        floor = _small_floor(work / "floor-pg", floor_db, bodies, plan.concurrency, plan.small_repeats)
    with harness.pg_database() as service_db:
        deployment = Deployment("postgres+fs", service_db, f"file://{work / 'svc-pg' / 'blobs'}")
        service = _small_service(work / "svc-pg", deployment, bodies, plan.concurrency, plan.small_repeats)
    results.add(_small_figure(f"{label}, postgres+fs", service, floor, 0.5, "bare endpoint + fsync + PG row"))
    run_small_s3(work, plan, bodies, results, label)


def run_small_s3(work: Path, plan: HttpPlan, bodies: list[bytes], results: Results, label: str) -> None:
    with harness.s3_server(work) as endpoint, harness.pg_database() as service_db:
        rates = []
        bucket = harness.new_bucket(endpoint)
        for run in range(plan.small_repeats):
            varied = [body + f"r{run}".encode() for body in bodies]
            rates.append(len(bodies) / boto3_put_many(endpoint, bucket, varied, plan.concurrency))
        floor = harness.median(rates)
        storage = f"s3://{harness.new_bucket(endpoint)}/archive"
        deployment = Deployment("postgres+s3", service_db, storage, endpoint)
        service = _small_service(work / "svc-s3", deployment, bodies, plan.concurrency, plan.small_repeats)
    results.add(
        _small_figure(
            f"{label}, postgres+s3", service, floor, 0.7, f"boto3 put_object x {plan.concurrency} threads"
        )
    )


def run_fetch(work: Path, plan: HttpPlan, results: Results) -> None:
    seed = harness.SEED
    conns = plan.fetch_connections
    with harness.floor_server(work / "floor-fetch", content=seed) as floor:
        floor_runs = [
            wrk_run(f"{floor.url}/content", {}, conns, plan.fetch_seconds) for _ in range(plan.repeats)
        ]
    floor_rates = [rate for rate, _ in floor_runs]
    floor_latencies = [p99 for _, p99 in floor_runs if p99 is not None]
    rates, latencies = _fetch_runs(work / "svc-fetch", plan)
    if latencies and floor_latencies:
        results.add(
            Figure(
                f"fetch: p99 latency, {conns} connections, sqlite+fs",
                "ms",
                harness.median(latencies),
                harness.median(floor_latencies),
                "informative",
                higher_is_better=False,
                floor_name="the bare endpoint's p99 (wrk --latency)",
            )
        )
    results.add(
        Figure(
            f"fetch: GET content, {conns} connections, sqlite+fs",
            "req/s",
            harness.median(rates),
            harness.median(floor_rates),
            ">= 0.5 x floor",
            check=lambda _s, _f, r: r is not None and r >= 0.5,
            floor_name="bare endpoint returning the bytes from memory",
        )
    )
    # The bounds archive serve puts on headers and slow clients (archive.api.http_protocol) must not cost
    # the fetch rate: the same app under uvicorn's command with that protocol, against uvicorn's plain
    # httptools protocol as the floor (both without `archive serve`'s JSON line per request, which now
    # costs as much as the rest of a fast-path answer and is no part of the parser).
    bounded = ServiceOptions(loop="auto", http="archive.api.http_protocol:BoundedHttpToolsProtocol")
    bounded_rates = _fetch_rates(work / "svc-fetch-bounded", plan, bounded)
    plain_rates = _fetch_rates(work / "svc-fetch-plain", plan, ServiceOptions(loop="auto", http="httptools"))
    results.add(
        Figure(
            f"fetch: GET content, {conns} connections, bounded parser",
            "req/s",
            harness.median(bounded_rates),
            harness.median(plain_rates),
            ">= 0.95 x plain httptools",
            check=lambda _s, _f, r: r is not None and r >= 0.95,
            floor_name="the same service on uvicorn's plain httptools protocol",
        )
    )


def _fetch_rates(workdir: Path, plan: HttpPlan, options: ServiceOptions | None = None) -> list[float]:
    return _fetch_runs(workdir, plan, options)[0]


def _fetch_runs(
    workdir: Path, plan: HttpPlan, options: ServiceOptions | None = None
) -> tuple[list[float], list[float]]:
    """The seed archived in a new embedded service, then fetched by id with wrk, `plan.repeats` times:
    the rates, and the p99 latencies (ms) where wrk reported them."""
    with harness.service(workdir, harness.embedded(workdir), options) as (server, key):
        answer = upload_file(
            Target(f"{server.url}/v1/documents", key), harness.SEED, "text/plain; charset=utf-8"
        )
        url = f"{server.url}/v1/documents/{answer['document_id']}/content"
        headers = {"Authorization": f"Bearer {key}"}
        runs = [
            wrk_run(url, headers, plan.fetch_connections, plan.fetch_seconds) for _ in range(plan.repeats)
        ]
    return [rate for rate, _ in runs], [p99 for _, p99 in runs if p99 is not None]


def run_levers(work: Path, plan: HttpPlan, results: Results) -> None:
    """Known levers, measured on the large upload: the event loop and HTTP parser, and glibc malloc."""
    path = work / "large-levers.bin"
    make_large_file(path, plan.large_bytes)
    variants: list[tuple[str, ServiceOptions]] = [
        ("asyncio + h11", ServiceOptions(loop="asyncio", http="h11")),
        ("uvloop + httptools", ServiceOptions(loop="uvloop", http="httptools")),
        (
            "default + MALLOC_MMAP_THRESHOLD_=128K, MALLOC_TRIM_THRESHOLD_=128K",
            ServiceOptions(
                extra_env=(("MALLOC_MMAP_THRESHOLD_", "131072"), ("MALLOC_TRIM_THRESHOLD_", "131072"))
            ),
        ),
    ]
    for index, (label, options) in enumerate(variants):
        rate, growth = service_large(work / f"svc-lever-{index}", path, plan.repeats, options)
        results.add(Figure(f"lever large, {label}", "MiB/s", rate, None, "informative"))
        results.add(
            Figure(
                f"lever large RSS growth, {label}", "MiB", growth, None, "informative", higher_is_better=False
            )
        )
    path.unlink()


SUITES: dict[str, Callable[[Path, HttpPlan, Results], None]] = {
    "large": run_large,
    "fetch": run_fetch,
    "levers": run_levers,
}
