"""The FastAPI application, built from settings by `create_app()`; nothing connects at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles

import archive
from archive.api import docs, problems
from archive.api.agents import routes as agents
from archive.api.audits import routes as audits
from archive.api.blobs import routes as blobs
from archive.api.captures import routes as captures
from archive.api.deps import AppContext
from archive.api.documents import routes as documents
from archive.api.export import routes as export
from archive.api.fast_path import FastReads, ReadCache
from archive.api.governance import routes as governance
from archive.api.health import routes as health
from archive.api.log import routes as log
from archive.api.memento import routes as memento
from archive.api.observability import ObservabilityMiddleware, metrics
from archive.api.search import routes as search
from archive.api.tiles import routes as tiles
from archive.api.ui import routes as ui
from archive.api.ui import searching as ui_searching
from archive.api.ui import watching as ui_watching
from archive.api.ui.pages import STATIC_DIR
from archive.api.watches import routes as watches
from archive.capture import Resolver, open_fetcher
from archive.config import Settings, load_settings
from archive.db.migrate import require_migrated
from archive.db.session import Database
from archive.errors import ArchiveError
from archive.extract import ExtractionLimits, ProcessExtractor
from archive.heap import frozen_heap
from archive.jobs.engine import JobEngine
from archive.jobs.runner import InProcessJobs
from archive.jobs.tasks import TASKS
from archive.services.keys import KeyCache
from archive.services.signing import LogSigner
from archive.storage import BlobStore, open_blob_store, open_replica_store

logger = logging.getLogger("archive")


def _extractor(settings: Settings) -> ProcessExtractor:
    """The extraction worker processes, sized and bounded as the settings say."""
    return ProcessExtractor(
        ExtractionLimits(
            max_bytes=settings.extract_max_bytes,
            timeout=settings.extract_timeout,
            workers=settings.effective_extract_workers(),
            small_bytes=settings.extract_small_bytes,
        ),
        trust_anchors=settings.c2pa_trust_anchors_pem(),
    )


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    store: BlobStore | None = None,
    resolver: Resolver | None = None,
) -> FastAPI:
    """Build the app. Settings default to the environment; `db` and `store` may be given by tests, and
    `resolver`, the only way captures turn names into addresses (default: the system's)."""
    settings = settings or load_settings()
    extractor = _extractor(settings)
    context = AppContext(
        settings=settings,
        db=db or Database.from_settings(settings),
        store=store or open_blob_store(settings),
        extractor=extractor,
        log=LogSigner.load_or_create(settings.log_origin, settings.signing_key_file),
        fetcher=open_fetcher(settings, resolver),
        jobs=JobEngine(settings, TASKS),
        key_cache=KeyCache(seconds=settings.key_cache_seconds),
        read_cache=ReadCache(
            seconds=settings.key_cache_seconds,
            max_bytes=settings.read_cache_bytes,
            max_body=settings.verify_on_read_bytes,  # only bodies read whole and re-hashed are kept
        ),
        replica=open_replica_store(settings),
    )
    jobs = InProcessJobs(context)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        require_migrated(context.db.engine)  # refuse to serve an unmigrated database
        await anyio.to_thread.run_sync(_report_storage_guarantees, context)
        if settings.run_jobs:
            await jobs.start()
        try:
            with frozen_heap():  # full collections skip what startup made (`archive.heap`)
                yield
        finally:
            await jobs.stop()
            extractor.close()
            if db is None:
                context.db.dispose()

    app = FastAPI(
        title="archive",
        version=archive.__version__,
        summary="Source-document archival and provenance: content-addressed storage, attribution, "
        "version history and a verifiable log.",
        lifespan=lifespan,
        docs_url=None,  # `archive.api.docs` serves these pages without a CDN
        redoc_url=None,
    )
    app.state.context = context
    app.state.jobs = jobs
    problems.install(app)
    _add_middleware(app, context)
    _add_routes(app)
    return app


def _add_middleware(app: FastAPI, context: AppContext) -> None:
    """The fast path for hot reads inside the request ids, metrics and logs, which apply to what it
    answers too."""
    app.add_middleware(
        FastReads,
        cache=context.read_cache,
        keys=context.key_cache,
        public_read=context.settings.public_read,
        new_uow=context.unit_of_work,
    )
    app.add_middleware(ObservabilityMiddleware)


def _report_storage_guarantees(context: AppContext) -> None:
    """Try the store's guarantees once at start and say at once what is not kept (readiness fails while
    it is so); a store that cannot be reached now is tried again by readiness."""
    try:
        unkept = context.storage_probe.unkept(context.store)
    except ArchiveError as exc:
        logger.warning("storage could not be probed at start: %s", exc.detail)
        return
    for guarantee in unkept.values():
        logger.error("storage does not keep a guarantee: %s", guarantee)


def _add_routes(app: FastAPI) -> None:
    """Every feature's routes, and the web interface's static files."""
    app.add_api_route(
        "/metrics",
        metrics,
        methods=["GET"],
        tags=["health"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
    )
    # In this order the OpenAPI document lists them.
    app.include_router(health.router)
    app.include_router(documents.router)
    app.include_router(blobs.router)
    app.include_router(agents.router)
    app.include_router(memento.router)
    app.include_router(log.router)
    app.include_router(tiles.router)
    app.include_router(blobs.fixity_router)
    app.include_router(audits.router)
    app.include_router(export.router)
    app.include_router(governance.router)
    app.include_router(captures.router)
    app.include_router(watches.router)
    app.include_router(search.router)
    app.include_router(ui.router)
    app.include_router(ui_watching.router)
    app.include_router(ui_searching.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    docs.install(app)
