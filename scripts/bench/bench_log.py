"""log: appends per second and inclusion-proof latency, through the service layer on a SQLite database.

The big tree is bulk-built with the project's own `nodes_completed_by_append` over a `MemoryNodes`, and its
entries, nodes and head are bulk-inserted; appends and proofs then go through `append_event` and
`prove_inclusion` exactly as the API calls them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import harness
from harness import Figure, Results
from sqlalchemy import insert

from archive.config import Settings
from archive.db import migrate
from archive.db.log_models import LogEntry, LogHead, LogNode
from archive.db.session import Database
from archive.extract import ProcessExtractor
from archive.ledger import (
    MemoryNodes,
    Signer,
    canonical_entry,
    generate_signer,
    leaf_hash,
    nodes_completed_by_append,
    root_hash,
)
from archive.services.log import append_event, prove_inclusion
from archive.services.signing import LogSigner
from archive.services.unit_of_work import FixedAdapters, SqlUnitOfWork
from archive.storage import MemoryBlobStore

INSERT_BATCH = 50_000
PROOF_SAMPLES = 100


def open_database(path: Path) -> Database:
    database = Database.from_settings(Settings(database_url=f"sqlite:///{path}"))
    migrate.upgrade(database.engine)
    return database


def event(index: int) -> dict[str, object]:
    return {"type": "bench", "index": index, "note": "a leaf of the benchmark's log"}


def _batches(
    size: int, memory: MemoryNodes
) -> Iterator[tuple[list[dict[str, object]], list[dict[str, object]]]]:
    entries: list[dict[str, object]] = []
    nodes: list[dict[str, object]] = []
    for index in range(size):
        entry = canonical_entry(event(index))
        digest = leaf_hash(entry)
        entries.append({"leaf_index": index, "entry": entry, "leaf_hash": digest, "event_type": "bench"})
        for level, node_index, hashed in nodes_completed_by_append(memory, index, digest):
            memory.put(level, node_index, hashed)
            nodes.append({"level": level, "node_index": node_index, "hash": hashed})
        if len(entries) >= INSERT_BATCH:
            yield entries, nodes
            entries, nodes = [], []
    if entries:
        yield entries, nodes


def bulk_build(database: Database, size: int) -> None:
    """A log of `size` leaves, inserted in bulk."""
    memory = MemoryNodes()
    with database.engine.begin() as connection:
        for entries, nodes in _batches(size, memory):
            connection.execute(insert(LogEntry), entries)
            connection.execute(insert(LogNode), nodes)
        connection.execute(insert(LogHead).values(id=1, size=size, root_hash=root_hash(memory, size)))


def unit_of_work(database: Database) -> SqlUnitOfWork:
    """A unit of work over the log's database (no document is stored, so no store or extractor is used)."""
    secret, _ = generate_signer("bench.archive/log")
    signer = LogSigner("bench.archive/log", Signer.from_key_string(secret))
    return SqlUnitOfWork(database, FixedAdapters(MemoryBlobStore(), ProcessExtractor(), signer))


def appends_per_second(database: Database, count: int) -> float:
    """Each append in its own committed transaction, as the service appends."""
    uow = unit_of_work(database)
    started = time.perf_counter()
    for index in range(count):
        with uow.writing():
            append_event(uow.log, event(10_000_000 + index))
    return count / (time.perf_counter() - started)


def proof_latency_ms(database: Database, size: int, samples: int = PROOF_SAMPLES) -> float:
    """Median milliseconds of one inclusion proof (its own session, as a request has), random leaves."""
    rng = random.Random(size)
    uow = unit_of_work(database)
    latencies = []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        with uow.reading():
            prove_inclusion(uow, index, size)
        latencies.append((time.perf_counter() - started) * 1000)
    return harness.median(latencies)


def measure(work: Path, size: int, appends: int) -> tuple[float, float]:
    """(proof ms, appends/s) on a log of `size` leaves."""
    database = open_database(work / f"log-{size}.db")
    try:
        bulk_build(database, size)
        proof = proof_latency_ms(database, size)
        rate = appends_per_second(database, appends)
    finally:
        database.dispose()
    return proof, rate


def run_log(work: Path, big: int, appends: int, results: Results) -> None:
    work.mkdir(parents=True, exist_ok=True)
    small_proof, small_rate = measure(work, 1_000, appends)
    started = time.perf_counter()
    big_proof, big_rate = measure(work, big, appends)
    results.notes.append(
        f"log: building and measuring the {big:,}-leaf tree took {time.perf_counter() - started:.0f} s"
    )
    results.add(
        Figure("log: appends/s at 1,000 leaves (SQLite)", "appends/s", small_rate, None, "informative")
    )
    results.add(
        Figure(f"log: appends/s at {big:,} leaves (SQLite)", "appends/s", big_rate, None, "informative")
    )
    results.add(
        Figure(
            f"log: inclusion proof at {big:,} vs 1,000 leaves",
            "ms",
            big_proof,
            small_proof,
            "<= 2 x at 1k",
            higher_is_better=False,
            check=lambda _s, _f, r: r is not None and r <= 2,
            floor_name="the same proof at 1,000 leaves",
        )
    )
