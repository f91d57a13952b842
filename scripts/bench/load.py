"""The clients: the same httpx2 requests against the service and its floor, wrk for fetches, boto3 for S3."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx2

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Target:
    """Where uploads go: the service's `/v1/documents` (with a key) or the floor's `/upload`."""

    url: str
    key: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}


def _check(response: httpx2.Response) -> None:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:500]}")


def upload_file(
    target: Target, path: Path, media_type: str = "application/octet-stream"
) -> dict[str, object]:
    """One streamed multipart upload of a file on disk (httpx2 reads it in chunks, never whole)."""
    with path.open("rb") as stream, httpx2.Client(timeout=600) as client:
        response = client.post(
            target.url, headers=target.headers, files={"file": (path.name, stream, media_type)}
        )
    _check(response)
    return dict(response.json())


async def _upload_worker(
    client: httpx2.AsyncClient,
    target: Target,
    queue: asyncio.Queue[tuple[int, bytes, str | None]],
    answers: dict[int, dict[str, object]],
) -> None:
    while True:
        try:
            index, body, metadata = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        data = {"metadata": metadata} if metadata is not None else None
        response = await client.post(
            target.url,
            headers=target.headers,
            files={"file": (f"doc-{index}.txt", body, TEXT)},
            data=data,
        )
        _check(response)
        answers[index] = dict(response.json())


async def _upload_all(
    target: Target, bodies: Sequence[bytes], metadata: Sequence[str | None], concurrency: int
) -> tuple[float, dict[int, dict[str, object]]]:
    queue: asyncio.Queue[tuple[int, bytes, str | None]] = asyncio.Queue()
    for index, (body, meta) in enumerate(zip(bodies, metadata, strict=True)):
        queue.put_nowait((index, body, meta))
    answers: dict[int, dict[str, object]] = {}
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(_upload_worker(client, target, queue, answers) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, answers


def upload_many(
    target: Target,
    bodies: Sequence[bytes],
    concurrency: int,
    metadata: Sequence[str | None] | None = None,
) -> tuple[float, dict[int, dict[str, object]]]:
    """Upload every body with `concurrency` clients at once; the seconds taken and each answer by index."""
    return asyncio.run(_upload_all(target, bodies, metadata or [None] * len(bodies), concurrency))


def source_metadata(url: str) -> str:
    return json.dumps({"source_url": url})


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_run(
    url: str, headers: dict[str, str], connections: int, seconds: int, script: Path | None = None
) -> tuple[float, float | None]:
    """Requests per second and the 99th percentile latency in ms from wrk (2 threads); from the httpx2
    load generator where wrk is missing (no latency then). A `script` (wrk's Lua) may choose each request's
    path; it needs wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        if script is not None:
            raise RuntimeError("this figure needs wrk (apt-get install -y wrk)")
        return httpx_rate(url, headers, connections, seconds), None
    argv = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        argv += ["-s", str(script)]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"wrk saw failed responses from {url}:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"no rate in wrk's output:\n{output}")
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    latency = float(p99.group(1)) * _LATENCY_UNITS[p99.group(2)] if p99 else None
    return float(match.group(1)), latency


async def _fetch_loop(client: httpx2.AsyncClient, url: str, headers: dict[str, str], until: float) -> int:
    done = 0
    while time.perf_counter() < until:
        response = await client.get(url, headers=headers)
        response.raise_for_status()
        done += 1
    return done


async def _httpx_rate(url: str, headers: dict[str, str], connections: int, seconds: int) -> float:
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx2.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        until = started + seconds
        counts = await asyncio.gather(*(_fetch_loop(client, url, headers, until) for _ in range(connections)))
        return sum(counts) / (time.perf_counter() - started)


def httpx_rate(url: str, headers: dict[str, str], connections: int, seconds: int) -> float:
    return asyncio.run(_httpx_rate(url, headers, connections, seconds))


def boto3_put_many(endpoint: str, bucket: str, bodies: Sequence[bytes], concurrency: int) -> float:
    """The S3 floor: `put_object` of each body from `concurrency` threads sharing one client; seconds."""
    import hashlib  # noqa: PLC0415

    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        config=Config(max_pool_connections=concurrency, s3={"addressing_style": "path"}),
        aws_access_key_id="bench",
        aws_secret_access_key="bench-secret",
        region_name="us-east-1",
    )

    def put(body: bytes) -> None:
        key = "floor/" + hashlib.sha256(body).hexdigest()
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=TEXT)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(put, bodies))
    return time.perf_counter() - started
