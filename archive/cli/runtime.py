"""What every command runs against: the settings, and what they open, made once per command.

A command works through one unit of work (`Runtime.unit_of_work()`, its transactions opened with
`Runtime.writing()` and `Runtime.reading()`); sweeps that run transactions of their own (gc, audit, the
verifying reader) get a factory (`Runtime.new_unit_of_work`). The command line commits where the unit of
work does.
"""

from __future__ import annotations

import getpass
import sys
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Annotated, NoReturn, Self

import typer
from rich.console import Console
from sqlalchemy import Engine

from archive.config import Settings, load_settings
from archive.db import migrate
from archive.db.session import Database
from archive.extract import ExtractionLimits, ProcessExtractor
from archive.services.job_queue import RecordingQueue
from archive.services.signing import LogSigner
from archive.services.unit_of_work import SqlUnitOfWork
from archive.storage import BlobStore, open_blob_store, open_replica_store

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class PackageFormat(StrEnum):
    """The preservation packages `archive export` writes and `archive import` reads."""

    BAGIT = "bagit"
    OCFL = "ocfl"


def fail(message: str) -> NoReturn:
    """Exit 1 with a one-line reason on stderr."""
    print(f"archive: {' '.join(message.split())}", file=sys.stderr, flush=True)
    sys.exit(1)


def cli_actor() -> str:
    """Who a check run from the command line is recorded as: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


class Runtime:
    """One command's settings and the database, blob store, extractor and log signer they name.

    Each is opened on first use, so a command that never touches the database never connects to it, and
    what is opened is closed when the `with` block ends.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._database: Database | None = None
        self._migrated = False
        self._store: BlobStore | None = None
        self._replica: BlobStore | None = None
        self._jobs = RecordingQueue()
        self._extractor: ProcessExtractor | None = None
        self._signer: LogSigner | None = None
        self._unit_of_work: SqlUnitOfWork | None = None

    @classmethod
    def load(cls) -> Runtime:
        """The runtime of the settings in the environment."""
        return cls(load_settings())

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The database's engine, not checked against the migrations: for the schema commands."""
        return self._open_database().engine

    @property
    def database(self) -> Database:
        """The database, refused (on first use) unless its schema is the one this code needs.

        Commands reach it through their unit of work, and open transactions through the methods below.
        """
        database = self._open_database()
        if not self._migrated:
            migrate.require_migrated(database.engine)
            self._migrated = True
        return database

    def _open_database(self) -> Database:
        if self._database is None:
            self._database = Database.from_settings(self.settings)
        return self._database

    def unit_of_work(self) -> SqlUnitOfWork:
        """The command's unit of work (made on first use, over the migrated database)."""
        if self._unit_of_work is None:
            self._unit_of_work = SqlUnitOfWork(self.database, self)
        return self._unit_of_work

    def new_unit_of_work(self) -> SqlUnitOfWork:
        """Another unit of work over the same adapters, for sweeps that run transactions in threads."""
        return SqlUnitOfWork(self.database, self)

    def writing(self) -> AbstractContextManager[SqlUnitOfWork]:
        """A transaction that may write: committed when the block ends normally, rolled back if it raises."""
        return self.unit_of_work().writing()

    def reading(self) -> AbstractContextManager[SqlUnitOfWork]:
        """A transaction that only reads and commits nothing."""
        return self.unit_of_work().reading()

    @property
    def spool_dir(self) -> Path | None:
        return self.settings.effective_spool_dir()

    @property
    def store(self) -> BlobStore:
        if self._store is None:
            self._store = open_blob_store(self.settings)
        return self._store

    @property
    def replica(self) -> BlobStore | None:
        if self._replica is None:
            self._replica = open_replica_store(self.settings)
        return self._replica

    @property
    def jobs(self) -> RecordingQueue:
        """Commands run no jobs: what they would queue is taken up from its rows by a process that does."""
        return self._jobs

    @property
    def extractor(self) -> ProcessExtractor:
        if self._extractor is None:
            settings = self.settings
            self._extractor = ProcessExtractor(
                ExtractionLimits(
                    settings.extract_max_bytes,
                    settings.extract_timeout,
                    settings.effective_extract_workers(),
                    settings.extract_small_bytes,
                ),
                trust_anchors=settings.c2pa_trust_anchors_pem(),
            )
        return self._extractor

    @property
    def signer(self) -> LogSigner:
        """The log's signing key, made on first use if the archive has none yet."""
        if self._signer is None:
            self._signer = LogSigner.load_or_create(self.settings.log_origin, self.settings.signing_key_file)
        return self._signer

    def close(self) -> None:
        """Stop the extractor's workers and close the database's connections, whichever were opened."""
        try:
            if self._extractor is not None:
                self._extractor.close()
        finally:
            if self._database is not None:
                self._database.dispose()
