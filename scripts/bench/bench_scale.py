"""scale: the upload and fetch rates on an archive of N documents beside the same on an empty one, and on
PostgreSQL, two API processes behind one port beside one.

Each engine's empty archive is measured first: seed-sized documents uploaded by 8 clients, then wrk
fetching their content by id, each request a random one of them (`GET /v1/documents/{id}/content`). Then
a second archive of the same engine is filled with N documents made in bulk (not uploaded one by one):
their blobs' rows, documents, versions with a title, text and an author, agents and credits, the search
index's rows and N leaves of the verifiable log (its tree built with `nodes_completed_by_append`, as
`bench_log` builds it), and the same figures are taken on it: the uploads add to an archive of N, and the
fetches ask for as many documents chosen at random among the N (their versions pointed at the blobs the
uploads stored, so that every fetch reads and verifies real bytes). Goal: within 20 % of the empty
archive's rates (ratio >= 0.8).

    scripts/bench/run --only scale            # N = 1,000,000 on SQLite and PostgreSQL (~20-30 min, GBs)
    scripts/bench/run --only scale --quick    # N = 100,000
"""

from __future__ import annotations

import hashlib
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench_log
import bench_search
import harness
from harness import Deployment, Figure, Results, ServiceOptions
from load import Target, upload_many, wrk_run
from sqlalchemy import insert, text

from archive.config import Settings
from archive.db import migrate
from archive.db.models import Agent, Blob, Credit, Document, Version
from archive.db.session import Database

BATCH = 10_000
AUTHORS = 5_000
WORDS = [c + v + c2 for c in "bdfgklmnprstvz" for v in "aeiou" for c2 in "lmnrst"]


@dataclass(frozen=True)
class ScalePlan:
    documents: int
    uploads: int
    concurrency: int
    fetch_seconds: int
    fetch_connections: int


@dataclass(frozen=True)
class Rates:
    uploads: float  # documents per second
    fetches: float  # requests per second
    fetch_p99: float | None  # ms


def _digests(number: int) -> tuple[str, str]:
    seed = f"bench-scale-{number}".encode()
    return hashlib.blake2b(seed, digest_size=32).hexdigest(), hashlib.sha256(seed).hexdigest()


def _rows(start: int, count: int, rng: random.Random) -> list[dict[str, Any]]:
    base = datetime(2010, 1, 1, tzinfo=UTC)
    made = []
    for number in range(start, start + count):
        blake3, sha256 = _digests(number)
        made.append(
            {
                "number": number,
                "id": number + 1,  # the version's
                "document_id": f"B{number:025d}",
                "blake3": blake3,
                "sha256": sha256,
                "title": " ".join(rng.choices(WORDS, k=6)),
                "text": " ".join(rng.choices(WORDS, k=60)),
                "agent_id": rng.randrange(AUTHORS) + 1,
                "published_at": base + timedelta(minutes=number),
            }
        )
    return made


def _insert_batch(connection: Any, batch: list[dict[str, Any]], engine: str) -> None:
    connection.execute(
        insert(Blob),
        [
            {"blake3": r["blake3"], "sha256": r["sha256"], "size": 400, "media_type": "text/plain"}
            for r in batch
        ],
    )
    connection.execute(
        insert(Document),
        [{"id": r["document_id"], "created_by": "bench", "latest_version": 1} for r in batch],
    )
    connection.execute(
        insert(Version),
        [
            {
                "id": r["id"],
                "document_id": r["document_id"],
                "number": 1,
                "blob_blake3": r["blake3"],
                "media_type": "text/plain",
                "archived_by": "bench",
                "title": r["title"],
                "text": r["text"],
                "language": "en",
                "published_at": r["published_at"],
                "log_index": r["number"],
            }
            for r in batch
        ],
    )
    connection.execute(
        insert(Credit),
        [
            {
                "version_id": r["id"],
                "agent_id": r["agent_id"],
                "role": "author",
                "position": 0,
                "name": f"Author {r['agent_id'] - 1}",
                "source": "supplied",
            }
            for r in batch
        ],
    )
    # The search index's rows, made as the search benchmark makes them (as each engine's `add` does).
    (bench_search.index_sqlite if engine == "sqlite" else bench_search.index_postgres)(connection, batch)


def bulk_fill(database_url: str, documents: int) -> float:
    """An archive of `documents` documents made in bulk in the (new) database; seconds taken."""
    started = time.perf_counter()
    database = Database.from_settings(Settings(database_url=database_url))
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    try:
        migrate.upgrade(database.engine)
        bench_log.bulk_build(database, documents)
        with database.engine.begin() as connection:
            connection.execute(
                insert(Agent),
                [
                    {"id": n + 1, "kind": "person", "name": f"Author {n}", "normalized_name": f"author {n}"}
                    for n in range(AUTHORS)
                ],
            )
        rng = random.Random(11)
        for start in range(0, documents, BATCH):
            with database.engine.begin() as connection:
                _insert_batch(connection, _rows(start, min(BATCH, documents - start), rng), engine)
            done = min(start + BATCH, documents)
            print(f"\r  scale: {done:,} of {documents:,} documents", end="", flush=True)
        print(flush=True)
        if engine == "postgresql":
            with database.engine.begin() as connection:  # ids given outright: move the sequences past them
                for table in ("versions", "agents"):
                    connection.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                    )
            with database.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            with database.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
    finally:
        database.dispose()
    return time.perf_counter() - started


def _blake3_of(answer: dict[str, Any]) -> str:
    """The uploaded version's digest, wherever the answer carries it."""
    stack: list[Any] = [answer]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("blake3"), str):
                return str(value["blake3"])
            stack.extend(value.values())
    raise RuntimeError(f"no blake3 in the upload's answer: {answer}")


def point_at_uploads(database_url: str, documents: int, answers: list[dict[str, Any]]) -> list[str]:
    """As many bulk documents as there were uploads, at random, their versions pointed at the uploaded
    blobs; their ids."""
    rng = random.Random(5)
    chosen = rng.sample(range(documents), len(answers))
    database = Database.from_settings(Settings(database_url=database_url))
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text("UPDATE versions SET blob_blake3 = :blake3 WHERE id = :id"),
                [
                    {"blake3": _blake3_of(answer), "id": number + 1}
                    for number, answer in zip(chosen, answers, strict=True)
                ],
            )
    finally:
        database.dispose()
    return [f"B{number:025d}" for number in chosen]


def _fetch_script(workdir: Path, document_ids: list[str]) -> Path:
    """A wrk script asking for a random one of the documents' content at each request."""
    paths = workdir / "paths.txt"
    paths.write_text("".join(f"/v1/documents/{d}/content\n" for d in document_ids), encoding="utf-8")
    script = workdir / "random-paths.lua"
    script.write_text(
        f'local paths = {{}}\nfor line in io.lines("{paths}") do paths[#paths + 1] = line end\n'
        "math.randomseed(os.time())\n"
        'request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n',
        encoding="utf-8",
    )
    return script


def measure(
    workdir: Path,
    deployment: Deployment,
    plan: ScalePlan,
    *,
    tag: str,
    filled: int = 0,
    options: ServiceOptions | None = None,
) -> Rates:
    """Uploads, then fetches of random documents (the uploaded ones, or as many bulk ones in a filled
    archive), through one running service."""
    bodies = harness.distinct_documents(plan.uploads, tag)
    with harness.service(workdir, deployment, options) as (server, key):
        elapsed, by_index = upload_many(Target(f"{server.url}/v1/documents", key), bodies, plan.concurrency)
        answers = [by_index[index] for index in sorted(by_index)]
        if filled:
            ids = point_at_uploads(deployment.database_url, filled, answers)
        else:
            ids = [str(answer["document_id"]) for answer in answers]
        script = _fetch_script(workdir, ids)
        headers = {"Authorization": f"Bearer {key}"}
        rate, p99 = wrk_run(
            f"{server.url}/", headers, plan.fetch_connections, plan.fetch_seconds, script=script
        )
    return Rates(len(bodies) / elapsed, rate, p99)


def _engines(work: Path) -> Iterator[tuple[str, Deployment, Deployment]]:
    """Per engine: an empty deployment and one to fill."""
    yield "sqlite+fs", harness.embedded(work / "sqlite-empty"), harness.embedded(work / "sqlite-full")
    if not harness.pg_available():
        return
    with harness.pg_database() as empty, harness.pg_database() as full:
        yield (
            "postgres+fs",
            Deployment("postgres+fs", empty, f"file://{work / 'pg-empty' / 'blobs'}"),
            Deployment("postgres+fs", full, f"file://{work / 'pg-full' / 'blobs'}"),
        )


def _scale_figures(label: str, documents: int, empty: Rates, full: Rates, results: Results) -> None:
    at = f"{documents:,} documents"
    for name, unit, service, floor in (
        ("uploads", "docs/s", full.uploads, empty.uploads),
        ("fetch by id", "req/s", full.fetches, empty.fetches),
    ):
        results.add(
            Figure(
                f"scale: {name} at {at}, {label}",
                unit,
                service,
                floor,
                ">= 0.8 x empty archive",
                check=lambda _s, _f, r: r is not None and r >= 0.8,
                floor_name="the same on an empty archive of the same engine, same run",
            )
        )
    if full.fetch_p99 is not None and empty.fetch_p99 is not None:
        results.add(
            Figure(
                f"scale: fetch p99 at {at}, {label}",
                "ms",
                full.fetch_p99,
                empty.fetch_p99,
                "informative",
                higher_is_better=False,
                floor_name="the same on an empty archive",
            )
        )


def run_workers(work: Path, plan: ScalePlan, results: Results) -> None:
    """On PostgreSQL: `archive serve --workers 2` beside one process, uploads and fetches."""
    if not harness.pg_available():
        return
    rates: dict[int, Rates] = {}
    for workers in (1, 2):
        with harness.pg_database() as database:
            deployment = Deployment("postgres+fs", database, f"file://{work / f'pg-w{workers}' / 'blobs'}")
            options = ServiceOptions(workers=workers)
            rates[workers] = measure(
                work / f"pg-w{workers}", deployment, plan, tag=f"w{workers}", options=options
            )
    for name, unit, two, one in (
        ("uploads", "docs/s", rates[2].uploads, rates[1].uploads),
        ("fetch by id", "req/s", rates[2].fetches, rates[1].fetches),
    ):
        results.add(
            Figure(
                f"scale: {name}, 2 API processes, postgres+fs",
                unit,
                two,
                one,
                "> 1 x one process",
                check=lambda _s, _f, r: r is not None and r > 1,
                floor_name="`archive serve` with one process, same run",
            )
        )


def run_scale(work: Path, plan: ScalePlan, results: Results) -> None:
    work.mkdir(parents=True, exist_ok=True)
    for label, empty_deployment, full_deployment in _engines(work):
        empty = measure(work / f"{label}-empty", empty_deployment, plan, tag=f"{label}-empty")
        seconds = bulk_fill(full_deployment.database_url, plan.documents)
        results.notes.append(
            f"scale: {plan.documents:,} documents made in bulk on {label} in {seconds:.0f} s"
        )
        full = measure(
            work / f"{label}-full", full_deployment, plan, tag=f"{label}-full", filled=plan.documents
        )
        _scale_figures(label, plan.documents, empty, full, results)
    run_workers(work, plan, results)


if __name__ == "__main__":
    import sys

    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory(prefix="archive-scale-") as folder:
        outcome = Results()
        run_scale(Path(folder), ScalePlan(documents, 200, 8, 5, 16), outcome)
        for note in outcome.notes:
            print(note)
