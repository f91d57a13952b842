"""What a route gets from the app: its settings, its unit of work, and who is asking."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from archive.api.fast_path import ReadCache
from archive.capture import Fetcher
from archive.config import Settings
from archive.db.session import Database
from archive.errors import Forbidden, Unauthenticated
from archive.extract import Extractor
from archive.jobs.engine import JobEngine
from archive.jobs.verifying_reader import VerifyingReader
from archive.roles import Role
from archive.services.keys import ANONYMOUS_READER, KeyCache, Principal
from archive.services.signing import LogSigner
from archive.services.unit_of_work import SqlUnitOfWork
from archive.storage import BlobStore


class StorageProbe:
    """What the store does not guarantee (`BlobStore.unkept_guarantees`), found once and remembered; a
    store that cannot be reached is tried again next time."""

    def __init__(self) -> None:
        self._unkept: dict[str, str] | None = None
        self._lock = threading.Lock()

    def unkept(self, store: BlobStore) -> dict[str, str]:
        with self._lock:
            if self._unkept is None:
                self._unkept = store.unkept_guarantees()
            return self._unkept


@dataclass(frozen=True)
class AppContext:
    """The app's settings, database and adapters (a unit of work's `Adapters`), made once at start; also
    what the jobs it runs need (their `JobEnvironment`): the fetcher of captures and the job engine."""

    settings: Settings
    db: Database
    store: BlobStore
    extractor: Extractor
    log: LogSigner
    fetcher: Fetcher
    jobs: JobEngine
    replica: BlobStore | None = None
    storage_probe: StorageProbe = field(default_factory=StorageProbe)
    key_cache: KeyCache = field(default_factory=lambda: KeyCache(seconds=0))
    read_cache: ReadCache = field(default_factory=lambda: ReadCache(seconds=0, max_bytes=0, max_body=0))
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def signer(self) -> LogSigner:
        return self.log

    @property
    def spool_dir(self) -> Path | None:
        return self.settings.effective_spool_dir()

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work over the app's database and adapters."""
        return SqlUnitOfWork(self.db, self)

    @property
    def reader(self) -> VerifyingReader:
        return VerifyingReader(self.unit_of_work, self.store, self.settings.verify_on_read_bytes)


def get_context(request: Request) -> AppContext:
    context = request.app.state.context
    assert isinstance(context, AppContext)
    return context


Context = Annotated[AppContext, Depends(get_context)]


def get_unit_of_work(context: Context) -> SqlUnitOfWork:
    """The request's unit of work: FastAPI makes a dependency once per request, so the key check and the
    route share it (each of their transactions short, one after the other)."""
    return context.unit_of_work()


Uow = Annotated[SqlUnitOfWork, Depends(get_unit_of_work)]


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <key>`")
    return credentials.strip()


# Declares the scheme in the OpenAPI document (so clients and `/docs` know to send a key); the header is
# read by `_presented_key`, which refuses a malformed one with a precise message instead of ignoring it.
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An archive API key, sent as `Authorization: Bearer ark_…`.",
)
Declared = Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)]


def _public_archive(settings: Settings) -> bool:
    return settings.public_read


def _published_log(settings: Settings) -> bool:
    return settings.public_log or settings.public_read


def require(
    role: Role, open_when: Callable[[Settings], bool] = _public_archive
) -> Callable[[Request, AppContext, SqlUnitOfWork, HTTPAuthorizationCredentials | None], Principal]:
    """A dependency admitting keys whose role includes `role` (and, for reads the deployment opens to
    everyone (`open_when`: a public archive, or for the log's public parts a published log), requests
    with no key at all)."""

    def dependency(request: Request, context: Context, uow: Uow, _declared: Declared) -> Principal:
        presented = _presented_key(request)
        if presented is None:
            if role is Role.READER and open_when(context.settings):
                return ANONYMOUS_READER
            raise Unauthenticated("this needs an API key: send `Authorization: Bearer <key>`")
        principal = context.key_cache.principal(uow, presented)
        if not principal.role.includes(role):
            raise Forbidden(role.value, principal.role.value)
        return principal

    return dependency


Reader = Annotated[Principal, Depends(require(Role.READER))]
# The checkpoint, the key, tiles and bundles: open to anyone when the log is published, for monitors and
# witnesses (`ARCHIVE_PUBLIC_LOG`, or a public archive).
LogReader = Annotated[Principal, Depends(require(Role.READER, _published_log))]
Auditor = Annotated[Principal, Depends(require(Role.AUDITOR))]
Archivist = Annotated[Principal, Depends(require(Role.ARCHIVIST))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
