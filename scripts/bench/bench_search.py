"""search: `GET /v1/search`'s service over N synthetic documents on both engines.

The documents (120 words each, drawn from a Zipf-distributed vocabulary, with a title and an author) are
made in bulk by SQL inserts, not uploaded one by one; the index is built the way each engine builds it
(FTS5 rows of Python-stemmed words; tsvectors computed by PostgreSQL). Then each kind of query runs
through `archive.services.search.search` (candidates, ranking, the results' rows, snippets and facets, as
the API runs it): a rare, a medium and a common word, a phrase, and a common word under a credit filter.
Printed: p50 and p99 per kind, hits, index size and build time, and for common words how many of the top 10
of the bounded ranking agree with a full ranking of every match. Then `GET /v1/documents`'s listing
(newest first, by a credited name, by name and role) at N documents beside the same on an archive of
LISTING_BASELINE documents made the same way in the same run, with the ratio (the target: within 2x).

    .venv/bin/python scripts/bench/bench_search.py                      # 10^5 documents, both engines
    .venv/bin/python scripts/bench/bench_search.py --documents 1000000  # the full run
    .venv/bin/python scripts/bench/bench_search.py --keep /tmp/bench-search  # build once, then reuse

With `--keep DIR`, each engine's databases (N documents and the baseline's) are kept after the run (SQLite
files in DIR; PostgreSQL databases named in DIR) and reused by the next run with the same DIR and N, brought
up to the newest migration first: queries are iterated on without a rebuild. `--drop` removes them.

With `--tuned`, the PostgreSQL half runs against a server the benchmark starts itself (`initdb`, `pg_ctl`
on PATH), configured as a production deployment would be (`TUNED`), on a free port of 127.0.0.1: its
cluster lives in DIR/postgresql-tuned with `--keep DIR` (kept, and started again by later runs), else in
a temporary folder. Without it, the PostgreSQL half uses the server of BENCH_PG_ADMIN_URL (the machine's).

    .venv/bin/python scripts/bench/bench_search.py --engine postgresql --tuned --keep /tmp/bench-search

The searches run with the process's heap frozen as the service's startup freezes it (`archive.heap`;
`--thawed` leaves it not). `--warm` runs each query once before it is timed: the figures of a server
whose cache holds what the searches read; without it, the first timed round reads its pages afresh, and
the first round's p50 is printed beside the later rounds'.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PG_ADMIN_URL, free_port

from archive.config import Settings
from archive.db import migrate
from archive.db.models import Agent, Blob, Credit, Document, Version
from archive.db.session import Database
from archive.heap import frozen_heap
from archive.search.model import SearchFilters
from archive.search.query import parse_query
from archive.search.sqlite import query_languages, render_match
from archive.search.text import stemmed_text
from archive.services.documents import search_documents
from archive.services.search import SearchRequest, search
from archive.services.unit_of_work import SqlUnitOfWork

BATCH = 10_000
WORDS_PER_DOCUMENT = 120
VOCABULARY = 30_000
AUTHORS = 2_000
# Two names the listing benchmark looks up, beside the authors: one credited on every 10th document (a
# page fills at any size) and one only on the oldest (the lookup must not walk the archive to find it).
LISTED = {10: (AUTHORS + 1, "Staff Writer"), 0: (AUTHORS + 2, "Rare Person")}
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
BLAKE3 = "0" * 64


def vocabulary(size: int) -> list[str]:
    """Pronounceable made-up words, none a stem of another's forms (three syllables and a letter)."""
    words = ("".join(parts) + "x" for parts in itertools.product(SYLLABLES, repeat=3))
    return list(itertools.islice(words, size))


@dataclass(frozen=True)
class Corpus:
    words: list[str]
    cumulative: list[float]
    documents: int
    planted: str  # a two-word phrase planted in 1 % of the documents

    def body(self, rng: random.Random) -> str:
        drawn = rng.choices(self.words, cum_weights=self.cumulative, k=WORDS_PER_DOCUMENT)
        if rng.random() < 0.01:
            drawn[rng.randrange(len(drawn) - 1)] = self.planted
        return " ".join(drawn)


def corpus(documents: int) -> Corpus:
    words = vocabulary(VOCABULARY)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return Corpus(words, list(itertools.accumulate(weights)), documents, f"{words[700]} {words[900]}")


def rows(corpus: Corpus, start: int, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    base = datetime(2015, 1, 1, tzinfo=UTC)
    for number in range(start, start + count):
        title = " ".join(rng.choices(corpus.words, cum_weights=corpus.cumulative, k=6))
        yield {
            "id": number + 1,
            "document_id": f"{number:026d}",
            "title": title,
            "text": corpus.body(rng),
            "published_at": base + timedelta(minutes=5 * number),
            "agent_id": rng.randrange(AUTHORS) + 1,
        }


def load(database: Database, corpus: Corpus, index: Callable[[object, list[dict[str, Any]]], None]) -> float:
    """Insert the documents, versions, authors and credits, and index each batch; seconds spent indexing."""
    rng = random.Random(7)
    indexing = 0.0
    with database.engine.begin() as connection:
        connection.execute(
            insert(Blob), [{"blake3": BLAKE3, "sha256": "1" * 64, "size": 1, "media_type": "text/plain"}]
        )
        connection.execute(
            insert(Agent),
            [
                {"id": n + 1, "kind": "person", "name": f"Author {n}", "normalized_name": f"author {n}"}
                for n in range(AUTHORS)
            ]
            + [
                {"id": agent_id, "kind": "person", "name": name, "normalized_name": name.lower()}
                for agent_id, name in LISTED.values()
            ],
        )
    for start in range(0, corpus.documents, BATCH):
        batch = list(rows(corpus, start, min(BATCH, corpus.documents - start), rng))
        with database.engine.begin() as connection:
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
                        "blob_blake3": BLAKE3,
                        "media_type": "text/plain",
                        "archived_by": "bench",
                        "title": r["title"],
                        "text": r["text"],
                        "language": "en",
                        "publisher": f"Publisher {int(str(r['agent_id'])) % 20}",
                        "published_at": r["published_at"],
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
                        "name": f"Author {int(str(r['agent_id'])) - 1}",
                        "source": "supplied",
                    }
                    for r in batch
                ]
                + [
                    {
                        "version_id": r["id"],
                        "agent_id": agent_id,
                        "role": "contributor",
                        "position": 1,
                        "name": name,
                        "source": "supplied",
                    }
                    for r in batch
                    for every, (agent_id, name) in LISTED.items()
                    if (r["id"] == 1 if every == 0 else (int(str(r["id"])) - 1) % every == 0)
                ],
            )
            started = time.perf_counter()
            index(connection, batch)
            indexing += time.perf_counter() - started
        print(f"\r  {start + len(batch):,} documents", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return indexing


def index_sqlite(connection: object, batch: list[dict[str, Any]]) -> None:
    params = [
        {
            "id": r["id"],
            "title": stemmed_text(str(r["title"]), "english"),
            "names": stemmed_text(f"Author {int(str(r['agent_id'])) - 1}", "english"),
            "body": stemmed_text(str(r["text"]), "english"),
        }
        for r in batch
    ]
    connection.execute(  # type: ignore[attr-defined]
        text("INSERT INTO search_fts (rowid, title, names, body) VALUES (:id, :title, :names, :body)"), params
    )


def index_postgres(connection: object, batch: list[dict[str, Any]]) -> None:
    """The tsvectors computed by PostgreSQL from the versions' rows, as the engine's `add` computes them."""
    first, last = batch[0]["id"], batch[-1]["id"]
    connection.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO search_vectors (version_id, tsv) SELECT v.id, "
            "setweight(to_tsvector('archive_english', coalesce(v.title, '')), 'A') || "
            "setweight(to_tsvector('archive_english', c.name), 'B') || "
            "setweight(to_tsvector('archive_english', coalesce(v.text, '')), 'C') "
            "FROM versions v JOIN credits c ON c.version_id = v.id AND c.position = 0 "
            "WHERE v.id BETWEEN :first AND :last"
        ),
        {"first": first, "last": last},
    )


def measure(uow: SqlUnitOfWork, q: str, filters: SearchFilters, bound: int) -> tuple[float, int]:
    started = time.perf_counter()
    with uow.reading():
        page = search(uow, SearchRequest(q=q, filters=filters, limit=10), candidates=bound)
    return (time.perf_counter() - started) * 1000, page.total


def top10(uow: SqlUnitOfWork, q: str, bound: int) -> list[int]:
    with uow.reading():
        found = uow.search.candidates(parse_query(q), SearchFilters(), bound)
    return [version_id for version_id, _ in found.ranked[:10]]


def full_top10(uow: SqlUnitOfWork, q: str, documents: int) -> list[int]:
    """The top 10 of a full ranking of every match: bm25 on SQLite (which the engine itself no longer
    applies to a word this common), ts_rank over every match on PostgreSQL (a bound past the archive)."""
    if uow.db.engine.dialect.name != "sqlite":
        return top10(uow, q, documents + 1)
    match = render_match(parse_query(q), query_languages(SearchFilters()))
    ranked = text(
        "SELECT rowid FROM search_fts WHERE search_fts MATCH :match "
        "ORDER BY bm25(search_fts, 10.0, 5.0, 1.0), rowid DESC LIMIT 10"
    )
    with uow.reading():
        return [int(version_id) for version_id in uow.session.scalars(ranked, {"match": match})]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def queries(corpus: Corpus) -> dict[str, list[tuple[str, SearchFilters]]]:
    words, none = corpus.words, SearchFilters()
    return {
        "rare word": [(words[rank], none) for rank in range(20_000, 20_020)],
        "medium word": [(words[rank], none) for rank in range(200, 220)],
        "common word": [(words[rank], none) for rank in range(0, 20)],
        "phrase": [(f'"{corpus.planted}"', none)]
        + [(f'"{words[r]} {words[r + 1]}"', none) for r in range(19)],
        "common + credit": [
            (words[rank], SearchFilters(credit=f"author {rank * 7}")) for rank in range(0, 20)
        ],
    }


# The kinds of query measured (all when empty: `--kinds`).
KINDS: set[str] = set()
# Each kind's queries run once before they are timed (`--warm`): the figures of a server whose cache holds
# what its searches read, as a production server's does after a while; without, the first of the 3 timed
# rounds reads its pages afresh (from the OS cache, or the disk when they are not there either).
WARM: list[bool] = []
# The heap left as the service's startup leaves it (`archive.heap`), unless `--thawed`: full collections
# then walk every object the process holds, its modules included.
THAWED: list[bool] = []


@contextmanager
def serving_heap() -> Iterator[None]:
    if THAWED:
        yield
        return
    with frozen_heap():
        yield


def report(
    name: str, database: Database, corpus: Corpus, build_seconds: float, size: int, bound: int
) -> None:
    uow = SqlUnitOfWork(database, adapters=None)  # type: ignore[arg-type]  (search needs no adapter)
    built = f"index built in {build_seconds:.1f} s, {size / 2**20:.0f} MiB"
    print(f"\n{name}: {corpus.documents:,} documents, {built}")
    # Not timed: the first search opens the pool's connection and loads the driver's type information, which
    # a running service has done once for all its searches (a word of none of the kinds measured). Its time
    # is printed: on a server just started, also that of reading the pages into an empty cache.
    first, _ = measure(uow, corpus.words[5_000], SearchFilters(), bound)
    print(f"  first search (new connection, cache as found): {first:.0f} ms")
    # Each kind's queries run 3 times: p50/p99 over all; "1st" and "2nd+" the p50 of the first round (the
    # pages of each query read for the first time in this run) and of the later ones (read again).
    print(f"  {'query':<18}{'p50 ms':>9}{'p99 ms':>9}{'hits (median)':>15}{'1st p50':>9}{'2nd+ p50':>9}")
    for kind, cases in queries(corpus).items():
        if KINDS and kind not in KINDS:
            continue
        if WARM:  # each query once, not timed: the pages it reads are in the server's cache, as in service
            for q, filters in cases:
                measure(uow, q, filters, bound)
        timings, hits = [], []
        for _ in range(3):
            for q, filters in cases:
                elapsed, total = measure(uow, q, filters, bound)
                timings.append(elapsed)
                hits.append(total)
        p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
        cold, warm = percentile(timings[: len(cases)], 0.5), percentile(timings[len(cases) :], 0.5)
        figures = f"{p50:>9.1f}{p99:>9.1f}{statistics.median(hits):>15,.0f}{cold:>9.1f}{warm:>9.1f}"
        print(f"  {kind:<18}{figures}")
    agreements, full_ms = [], []
    for q in corpus.words[0:5] + corpus.words[30:35]:
        bounded = top10(uow, q, bound)
        started = time.perf_counter()
        full = full_top10(uow, q, corpus.documents)
        full_ms.append((time.perf_counter() - started) * 1000)
        agreements.append(len(set(bounded) & set(full)))
    print(
        f"  common words, top 10 within the newest {bound} matches vs a full ranking: "
        f"{statistics.mean(agreements):.1f}/10 agree (min {min(agreements)}); "
        f"a full ranking takes {statistics.median(full_ms):.0f} ms (median)"
    )


LISTING_BASELINE = 1_000


def listing(database: Database) -> dict[str, tuple[float, float]]:
    """p50 and p99 (ms) of a 20-document page of `GET /v1/documents`' service, per kind of listing."""
    uow = SqlUnitOfWork(database, adapters=None)  # type: ignore[arg-type]  (listing needs no adapter)
    cases: dict[str, dict[str, str]] = {
        "newest first": {},
        "a name, page full": {"credit": "staff writer"},
        "a name and role": {"credit": "Staff Writer", "role": "contributor"},
        "a name, one document": {"credit": "rare person"},
    }
    figures = {}
    for kind, given in cases.items():
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            with uow.reading():
                page = search_documents(uow, limit=20, **given)
            timings.append((time.perf_counter() - started) * 1000)
            assert page.documents, f"{kind} {given} listed nothing"
        figures[kind] = (percentile(timings, 0.5), percentile(timings, 0.99))
    return figures


def report_listing(
    name: str, large: dict[str, tuple[float, float]], small: dict[str, tuple[float, float]]
) -> None:
    print(f"  {name} listing, p50 / p99 ms at this size vs {LISTING_BASELINE:,} documents (ratio of p50s):")
    for kind, (p50, p99) in large.items():
        base50, base99 = small[kind]
        ratio = p50 / base50
        print(f"    {kind:<22}{p50:>7.1f} /{p99:>7.1f}   vs {base50:>6.1f} /{base99:>6.1f}   {ratio:>5.2f}x")


@dataclass(frozen=True)
class Kept:
    """Where a run's databases are kept between runs (None: made afresh and removed)."""

    folder: Path | None

    def record(self, engine: str, documents: int) -> Path | None:
        return None if self.folder is None else self.folder / f"{engine}-{documents}.json"

    def built(self, engine: str, documents: int) -> dict[str, Any] | None:
        """What the run that built a kept database recorded (its name, build time, index size)."""
        record = self.record(engine, documents)
        return json.loads(record.read_text()) if record is not None and record.exists() else None

    def keep(self, engine: str, documents: int, built: dict[str, Any]) -> None:
        record = self.record(engine, documents)
        if record is not None:
            record.write_text(json.dumps(built))


@contextmanager
def sqlite_database(kept: Kept, documents: int) -> Iterator[tuple[Database, dict[str, Any] | None]]:
    built = kept.built("sqlite", documents)
    with tempfile.TemporaryDirectory() as scratch:
        folder = kept.folder if kept.folder is not None else Path(scratch)
        path = folder / f"sqlite-{documents}.db"
        if built is None:
            path.unlink(missing_ok=True)
        database = Database.from_settings(Settings(database_url=f"sqlite:///{path}"))
        migrate.upgrade(database.engine)
        try:
            yield database, built
        finally:
            database.dispose()


@dataclass(frozen=True)
class PgServer:
    """A PostgreSQL server the benchmark's databases are made in: the machine's (BENCH_PG_ADMIN_URL), or
    one of its own configured for production (`--tuned`), whose kept databases are recorded apart."""

    admin_url: str
    engine: str  # the name kept databases are recorded under: "postgresql" or "postgresql-tuned"

    def url(self, name: str) -> str:
        return f"{self.admin_url.rsplit('/', 1)[0]}/{name}"


DEFAULT_SERVER = PgServer(PG_ADMIN_URL, "postgresql")

# The private server's settings (`--tuned`), as a production deployment on this machine (24 GiB of memory,
# 2 cores, SSD) would set them, from PostgreSQL's documentation ("Resource Consumption", "Query Planning")
# and the usual tuning guidance:
TUNED = {
    # A quarter of memory, the documentation's starting point for a dedicated server (above 40 % is
    # unlikely to help: PostgreSQL relies on the OS cache too), capped at 4GB: the search tables and their
    # indexes at 10^6 documents (~2.4 GB) fit, where the default 128MB holds a few searches' rows.
    "shared_buffers": "4GB",
    # The planner's idea of the memory caching data (shared buffers and the OS cache): about two thirds of
    # memory. Only a cost estimate, nothing is allocated.
    "effective_cache_size": "16GB",
    # SSD: a random page read costs little more than a sequential one (the documentation's example, 1.1).
    "random_page_cost": "1.1",
    # SSD: prefetch the pages a bitmap heap scan will read (the heap rows of a word's matches).
    "effective_io_concurrency": "200",
    # What the search sets for its own transactions (`archive.search.postgres`): a slice's rows are sorted
    # in memory. Per sort or hash per connection: 64MB times a pool of 10-20 connections is well within.
    "work_mem": "64MB",
    # Index builds (`archive search reindex`, the GIN index of 10^6 tsvectors) and vacuum.
    "maintenance_work_mem": "1GB",
    # Fewer checkpoints under a bulk load or a reindex (the default 1GB checkpoints every few seconds).
    "max_wal_size": "4GB",
}


@contextmanager
def tuned_server(folder: Path | None) -> Iterator[PgServer]:
    """A PostgreSQL server of the benchmark's own, started with `TUNED` on a free port and stopped after:
    its cluster made by `initdb` in `folder`/postgresql-tuned (kept, and started again by a later run) or
    in a temporary folder. As root, the server runs as the `postgres` user (it refuses to run as root)."""
    with tempfile.TemporaryDirectory() as scratch:
        data = (folder if folder is not None else Path(scratch)) / "postgresql-tuned"
        as_user: list[str] = []
        if os.geteuid() == 0:
            as_user = ["runuser", "-u", "postgres", "--"]
            Path(scratch).chmod(0o755)
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if as_user:
                shutil.chown(data, "postgres", "postgres")
            subprocess.run(
                [*as_user, "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = free_port()
        settings = {
            **TUNED,
            "port": str(port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(data),
        }
        options = " ".join(f"-c {name}={value}" for name, value in settings.items())
        control = [*as_user, "pg_ctl", "-D", str(data), "-w"]
        started = time.perf_counter()
        subprocess.run(
            [*control, "-o", options, "-l", str(data / "server.log"), "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"tuned server started in {time.perf_counter() - started:.1f} s: {TUNED}", file=sys.stderr)
        try:
            yield PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", "postgresql-tuned")
        finally:
            subprocess.run([*control, "-m", "fast", "stop"], check=True, stdout=subprocess.DEVNULL)


@contextmanager
def postgres_database(
    server: PgServer, kept: Kept, documents: int
) -> Iterator[tuple[Database, dict[str, Any] | None]]:
    built = kept.built(server.engine, documents)
    name = str(built["database"]) if built is not None else f"archive_bench_{uuid.uuid4().hex[:8]}"
    if built is None:
        with psycopg.connect(server.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    database = Database.from_settings(Settings(database_url=server.url(name)))
    try:
        migrate.upgrade(database.engine)
        yield database, built
    finally:
        database.dispose()
        if kept.folder is None:
            drop_postgres(server, name)


def drop_postgres(server: PgServer, name: str) -> None:
    with psycopg.connect(server.admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_kept(kept: Kept) -> None:
    """Remove every database kept in the folder, and their records (the tuned server's cluster whole)."""
    assert kept.folder is not None
    for record in kept.folder.glob("*.json"):
        built = json.loads(record.read_text())
        if record.name.startswith("postgresql-tuned-"):
            pass  # in the tuned server's cluster, removed below
        elif record.name.startswith("postgresql-"):
            drop_postgres(DEFAULT_SERVER, str(built["database"]))
        else:
            record.with_suffix(".db").unlink(missing_ok=True)
        record.unlink()
    shutil.rmtree(kept.folder / "postgresql-tuned", ignore_errors=True)


def build_sqlite(database: Database, corpus: Corpus) -> dict[str, Any]:
    seconds = load(database, corpus, index_sqlite)
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
        pages = connection.execute(
            text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'")
        ).scalar_one()
    return {"seconds": seconds, "size": int(pages or 0)}


def run_sqlite(corpus: Corpus, bound: int, kept: Kept) -> None:
    with sqlite_database(kept, LISTING_BASELINE) as (database, found):
        if found is None:
            load(database, replace(corpus, documents=LISTING_BASELINE), index_sqlite)
            kept.keep("sqlite", LISTING_BASELINE, {})
        small = listing(database)
    with sqlite_database(kept, corpus.documents) as (database, found):
        built = found if found is not None else build_sqlite(database, corpus)
        kept.keep("sqlite", corpus.documents, built)
        seconds, size = float(built["seconds"]), int(built["size"])
        with serving_heap():
            report("SQLite FTS5", database, corpus, seconds, size, bound)
        report_listing("SQLite", listing(database), small)


def vacuum(database: Database) -> None:
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def build_postgres(database: Database, corpus: Corpus) -> dict[str, Any]:
    seconds = load(database, corpus, index_postgres)
    vacuum(database)
    with database.engine.connect() as connection:
        size = connection.execute(text("SELECT pg_total_relation_size('search_vectors')")).scalar_one()
    return {"database": database.engine.url.database, "seconds": seconds, "size": int(size)}


def run_postgres(server: PgServer, corpus: Corpus, bound: int, kept: Kept) -> None:
    with postgres_database(server, kept, LISTING_BASELINE) as (database, found):
        if found is None:
            load(database, replace(corpus, documents=LISTING_BASELINE), index_postgres)
            vacuum(database)
            kept.keep(server.engine, LISTING_BASELINE, {"database": database.engine.url.database})
        small = listing(database)
    with postgres_database(server, kept, corpus.documents) as (database, found):
        built = found if found is not None else build_postgres(database, corpus)
        kept.keep(server.engine, corpus.documents, built)
        seconds, size = float(built["seconds"]), int(built["size"])
        name = "PostgreSQL tsvector + GIN" + (", tuned server" if server is not DEFAULT_SERVER else "")
        with serving_heap():
            report(name, database, corpus, seconds, size, bound)
        report_listing("PostgreSQL", listing(database), small)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--candidates", type=int, default=Settings().search_candidates)
    parser.add_argument("--keep", type=Path, help="keep the databases in (and reuse them from) this folder")
    parser.add_argument("--drop", action="store_true", help="remove the databases kept in --keep, and stop")
    parser.add_argument("--kinds", default="", help="the kinds of query to measure, comma-separated")
    parser.add_argument(
        "--tuned", action="store_true", help="PostgreSQL on a server of its own, configured for production"
    )
    parser.add_argument("--warm", action="store_true", help="each query once, not timed, before it is timed")
    parser.add_argument("--thawed", action="store_true", help="the heap not frozen as the service's is")
    args = parser.parse_args()
    if args.thawed:
        THAWED.append(True)
    if args.warm:
        WARM.append(True)
    kept = Kept(args.keep)
    KINDS.update(kind for kind in args.kinds.split(",") if kind)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        if args.drop:
            drop_kept(kept)
            return
    made = corpus(args.documents)
    if args.engine in ("sqlite", "both"):
        run_sqlite(made, args.candidates, kept)
    if args.engine in ("postgresql", "both"):
        if not args.tuned:
            run_postgres(DEFAULT_SERVER, made, args.candidates, kept)
            return
        with tuned_server(args.keep) as server:
            run_postgres(server, made, args.candidates, kept)


if __name__ == "__main__":
    main()
