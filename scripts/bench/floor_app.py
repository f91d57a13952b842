"""The floor: a bare FastAPI app doing only the unavoidable work of an archive, with the service's libraries.

- `POST /upload` streams the request body, feeds BLAKE3 and SHA-256 and writes it to a file in batches of
  1 MiB in a worker thread (as the service does), fsyncs it, and, when `BENCH_FLOOR_DB` names a database,
  commits one row for it (SQLAlchemy 2; SQLite with the service's pragmas, or PostgreSQL through psycopg 3).
- `GET /content` returns the bytes of `BENCH_FLOOR_CONTENT`, held in memory.

Configured by environment variables, run by `uvicorn floor_app:create_app --factory`.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, BinaryIO

import anyio.to_thread
import blake3
from fastapi import FastAPI, Request, Response
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, event, insert

CHUNK_SIZE = 1024 * 1024
METADATA = MetaData()
DOCUMENTS = Table(
    "documents",
    METADATA,
    Column("blake3", String(64), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_engine(url: str) -> Engine | None:
    if not url:
        return None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    METADATA.create_all(engine)
    return engine


class Sink:
    """One upload: a file being written and both digests being fed."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / uuid.uuid4().hex
        self.file: BinaryIO = self.path.open("wb")
        self.blake3 = blake3.blake3()
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.blake3.update(data)
        self.sha256.update(data)
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()


def record(engine: Engine | None, sink: Sink) -> None:
    if engine is None:
        return
    with engine.begin() as connection:
        connection.execute(
            insert(DOCUMENTS).values(
                blake3=sink.blake3.hexdigest(), sha256=sink.sha256.hexdigest(), size=sink.size
            )
        )


def create_app() -> FastAPI:
    folder = Path(os.environ.get("BENCH_FLOOR_DIR", "floor-files"))
    folder.mkdir(parents=True, exist_ok=True)
    content_path = os.environ.get("BENCH_FLOOR_CONTENT", "")
    content = Path(content_path).read_bytes() if content_path else b""
    state: dict[str, Engine | None] = {"engine": None}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state["engine"] = open_engine(os.environ.get("BENCH_FLOOR_DB", ""))
        yield
        if (engine := state["engine"]) is not None:
            engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/upload", status_code=201)
    async def upload(request: Request) -> dict[str, object]:
        sink = Sink(folder)
        batch: list[bytes] = []
        pending = 0
        async for chunk in request.stream():
            batch.append(chunk)
            pending += len(chunk)
            if pending >= CHUNK_SIZE:
                await anyio.to_thread.run_sync(sink.write, b"".join(batch))
                batch, pending = [], 0
        if batch:
            await anyio.to_thread.run_sync(sink.write, b"".join(batch))
        await anyio.to_thread.run_sync(sink.close)
        await anyio.to_thread.run_sync(record, state["engine"], sink)
        return {"blake3": sink.blake3.hexdigest(), "size": sink.size}

    @app.get("/content")
    async def get_content() -> Response:
        return Response(content=content, media_type="text/plain; charset=utf-8")

    return app
