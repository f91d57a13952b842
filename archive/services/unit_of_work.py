"""The unit of work: what one request or one command works through.

It holds the archive's adapters (the blob store, the extractor, the log's signer) and, for the length of
one transaction, a session with the repositories of every feature over it. Use cases open a transaction
with `writing()` (committed when the block ends normally: the one place the archive commits) or
`reading()` (nothing written, nothing committed; on SQLite no write lock), and reach the data only through
`uow.documents`, `uow.blobs` … inside it. Transactions of one unit of work follow each other, never nest:
a request that checks a key, then an idempotency record, then archives, runs three short transactions
through one unit of work, so no lock or connection is held while a body arrives or a page is parsed.

It finds the adapters through an `Adapters` (the app's context, the command line's runtime).
`SqlUnitOfWork` runs over the database; `FakeUnitOfWork` over in-memory repositories and a
`MemoryBlobStore`, for unit tests of the use cases.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

from sqlalchemy.orm import Session

from archive.db.memory import MemoryTables
from archive.db.memory_attestations import MemoryAttestationRepository
from archive.db.memory_signing_keys import MemorySigningKeyRepository
from archive.db.repositories import (
    SqlAttestationRepository,
    SqlAttributionRepository,
    SqlAuditRepository,
    SqlBlobRepository,
    SqlCaptureRepository,
    SqlDocumentRepository,
    SqlIdempotencyRepository,
    SqlKeyRepository,
    SqlLogRepository,
    SqlSigningKeyRepository,
)
from archive.db.repositories.governance import SqlGovernanceRepository
from archive.db.repositories.ports import (
    AttestationRepository,
    AttributionRepository,
    BlobRepository,
    DocumentRepository,
    IdempotencyRepository,
    KeyRepository,
    LogRepository,
    SigningKeyRepository,
)
from archive.db.repositories.replicas import SqlReplicaRepository
from archive.db.session import Database
from archive.extract import Extractor
from archive.search.memory import MemorySearchIndex
from archive.search.model import SearchIndex
from archive.search.postgres import PostgresSearchIndex
from archive.search.sqlite import SqliteSearchIndex
from archive.services.job_queue import JobQueue, RecordingQueue
from archive.services.signing import LogSigner
from archive.storage import BlobStore, MemoryBlobStore


class NestedTransaction(RuntimeError):
    """A transaction was opened inside another of the same unit of work (a mistake, not an input)."""


REPOSITORIES = (
    "documents",
    "attribution",
    "blobs",
    "log",
    "attestations",
    "signing_keys",
    "keys",
    "idempotency",
    "audits",
    "captures",
    "replicas",
    "governance",
    "search",
    "session",
)


class Adapters(Protocol):
    """Where a unit of work finds the archive's adapters. The app's context and the command line's runtime
    are both adapters; the runtime opens each on first use, so a command that stores nothing opens no
    store."""

    @property
    def store(self) -> BlobStore: ...
    @property
    def extractor(self) -> Extractor: ...
    @property
    def signer(self) -> LogSigner: ...
    @property
    def spool_dir(self) -> Path | None: ...
    @property
    def replica(self) -> BlobStore | None: ...
    @property
    def jobs(self) -> JobQueue: ...


@dataclass(frozen=True)
class FixedAdapters:
    """Adapters made up front (for the fake unit of work and for tests)."""

    store: BlobStore
    extractor: Extractor
    signer: LogSigner
    spool_dir: Path | None = None
    replica: BlobStore | None = None
    jobs: JobQueue = field(default_factory=RecordingQueue)


class UnitOfWork(ABC):
    """The adapters, and the repositories of the transaction in progress (see the module's docstring):
    between transactions a unit of work has no repositories, so a query outside one fails at once."""

    documents: DocumentRepository
    attribution: AttributionRepository
    blobs: BlobRepository
    log: LogRepository
    attestations: AttestationRepository
    signing_keys: SigningKeyRepository
    keys: KeyRepository
    idempotency: IdempotencyRepository
    search: SearchIndex

    def __init__(self, adapters: Adapters) -> None:
        self.adapters = adapters
        self._in_transaction = False

    @property
    def store(self) -> BlobStore:
        return self.adapters.store

    @property
    def extractor(self) -> Extractor:
        return self.adapters.extractor

    @property
    def signer(self) -> LogSigner:
        return self.adapters.signer

    @property
    def spool_dir(self) -> Path | None:
        return self.adapters.spool_dir

    @property
    def replica(self) -> BlobStore | None:
        """The second copy of every blob, when one is configured."""
        return self.adapters.replica

    @property
    def jobs(self) -> JobQueue:
        """Where use cases queue background work (in the transaction open on this unit of work)."""
        return self.adapters.jobs

    @contextmanager
    def writing(self) -> Iterator[Self]:
        """A transaction that may write, committed when the block ends normally, else rolled back."""
        with self._transaction(writing=True):
            yield self

    @contextmanager
    def reading(self) -> Iterator[Self]:
        """A transaction that only reads: it commits nothing. What it loaded stays readable after it ends;
        a relationship it did not load does not (the rows are detached)."""
        with self._transaction(writing=False):
            yield self

    @contextmanager
    def _transaction(self, *, writing: bool) -> Iterator[None]:
        if self._in_transaction:
            raise NestedTransaction("a unit of work runs one transaction at a time; they do not nest")
        self._in_transaction = True
        try:
            with self._begin(writing=writing):
                yield
        finally:
            self._in_transaction = False
            for name in REPOSITORIES:
                self.__dict__.pop(name, None)

    @abstractmethod
    def _begin(self, *, writing: bool) -> AbstractContextManager[None]:
        """Bind the repositories to a new transaction; commit it at the end when `writing`."""


UnitOfWorkFactory = Callable[[], UnitOfWork]


class SqlUnitOfWork(UnitOfWork):
    """A unit of work over the database: each transaction one session, its repositories over it."""

    audits: SqlAuditRepository
    captures: SqlCaptureRepository
    replicas: SqlReplicaRepository
    governance: SqlGovernanceRepository
    session: Session
    """The transaction's session, for tests that reach the tables directly (services use repositories)."""

    def __init__(self, db: Database, adapters: Adapters) -> None:
        super().__init__(adapters)
        self.db = db

    @contextmanager
    def _begin(self, *, writing: bool) -> Iterator[None]:
        with self.db.session(writing=writing) as session:
            self.session = session
            self.documents = SqlDocumentRepository(session)
            self.attribution = SqlAttributionRepository(session)
            self.blobs = SqlBlobRepository(session)
            self.log = SqlLogRepository(session)
            self.attestations = SqlAttestationRepository(session)
            self.signing_keys = SqlSigningKeyRepository(session)
            self.keys = SqlKeyRepository(session)
            self.idempotency = SqlIdempotencyRepository(session)
            self.audits = SqlAuditRepository(session)
            self.captures = SqlCaptureRepository(session)
            self.replicas = SqlReplicaRepository(session)
            self.governance = SqlGovernanceRepository(session)
            self.search = search_index(session)
            yield
            if writing:
                session.commit()  # the one commit of the archive


def search_index(session: Session) -> SearchIndex:
    """The search engine of the session's database: FTS5 on SQLite, tsvector on PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return SqliteSearchIndex(session)
    return PostgresSearchIndex(session)


class FakeUnitOfWork(UnitOfWork):
    """A unit of work over in-memory repositories and a `MemoryBlobStore`, for unit tests.

    A transaction that ends by raising leaves the tables as they were when it began: rows added are gone,
    and fields changed on rows that already existed hold their values again. Rows are never detached, so
    the fake does not catch a relationship read after its transaction; the SQL tests do.
    """

    def __init__(
        self,
        extractor: Extractor,
        signer: LogSigner,
        store: BlobStore | None = None,
        tables: MemoryTables | None = None,
    ) -> None:
        super().__init__(FixedAdapters(store if store is not None else MemoryBlobStore(), extractor, signer))
        self.tables = tables if tables is not None else MemoryTables()
        self.search_index = MemorySearchIndex()
        self.commits = 0
        self.rollbacks = 0

    @contextmanager
    def _begin(self, *, writing: bool) -> Iterator[None]:
        repositories = self.tables.repositories()
        self.documents, self.attribution, self.blobs, self.log, self.keys, self.idempotency = repositories
        self.attestations = MemoryAttestationRepository(self.tables)
        self.signing_keys = MemorySigningKeyRepository(self.tables)
        self.search = self.search_index
        saved = self.tables.snapshot()
        indexed = dict(self.search_index.entries)
        try:
            yield
        except BaseException:
            self.tables.restore(saved)
            self.search_index.entries = indexed
            self.rollbacks += 1
            raise
        if writing:
            self.commits += 1
        else:
            self.tables.restore(saved)  # a reading transaction keeps nothing it may have added
