"""The engine, and the sessions the unit of work runs its transactions in."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archive.config import Settings
from archive.errors import DatabaseUnavailable


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is turned off; `_sqlite_begin` starts every transaction instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; synchronous=FULL makes each commit durable
    # before the API acknowledges it; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class FairLock:
    """A lock handed to its waiters in the order they came: a plain lock lets a thread that releases and
    takes it again in a loop (a sweep's batches, a queue of jobs) keep a waiting upload out for as long as
    the loop runs. `acquire` gives up after `timeout` seconds, leaving its place in the line."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._line: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held and not self._line:
                self._held = True
                return True
            turn = threading.Event()
            self._line.append(turn)
        turn.wait(timeout)
        with self._mutex:
            if turn.is_set():  # handed over, perhaps just as the wait ran out
                return True
            self._line.remove(turn)
            return False

    def release(self) -> None:
        with self._mutex:
            if self._line:
                self._line.popleft().set()  # still held: it passes straight to the next in line
            else:
                self._held = False

    def locked(self) -> bool:
        return self._held


class _SqliteWriters:
    """BEGIN IMMEDIATE for units of work that may write: SQLite's write lock is taken at the start, so two
    transactions that read and then write (claiming a version number, appending to the log) queue up instead
    of failing on a stale read. Read-only ones (`Database.session(writing=False)`) begin DEFERRED and run
    side by side.

    Writers of one process also queue on a lock of their own before BEGIN: a writer waiting in SQLite's busy
    handler sleeps in steps of up to 100 ms whatever happens meanwhile, so eight uploads at once spent most
    of their time asleep; a lock hands over the moment the last writer commits, to writers in the order
    they came (`FairLock`). Other processes still meet
    at SQLite's lock. A wait past `timeout` goes on to BEGIN anyway, so a mistake (two writing units of work
    nested in one thread) ends in SQLite's busy error, not a hang.

    The lock is held from BEGIN until the connection goes back to the pool, which is after its COMMIT or
    ROLLBACK has finished (SQLAlchemy's `commit` event comes before the COMMIT, so the next writer would
    meet a COMMIT still syncing) and happens however the transaction ended, an invalidated connection
    included. It is marked on the pooled connection's record, so a connection that begins again before it
    is returned (commit as you go) does not wait for itself.
    """

    def __init__(self, timeout: float) -> None:
        self.lock = FairLock()
        self.timeout = timeout

    def begin(self, connection: Any) -> None:
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
        marks = connection.connection.record_info
        if mode == "IMMEDIATE" and not marks.get(_HOLDS_WRITER) and self.lock.acquire(timeout=self.timeout):
            marks[_HOLDS_WRITER] = True
        connection.exec_driver_sql(f"BEGIN {mode}")

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        if record.record_info.pop(_HOLDS_WRITER, False):
            self.lock.release()


_SQLITE_BEGIN = "archive_sqlite_begin"
_HOLDS_WRITER = "archive_holds_writer"
_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, FairLock] = weakref.WeakKeyDictionary()


def sqlite_writer_lock(engine: Engine) -> FairLock | None:
    """The lock a SQLite engine's writers queue on in this process (None for other databases)."""
    return _WRITER_LOCKS.get(engine)


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.sqlalchemy_url())
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        writers = _SqliteWriters(timeout=30)
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "checkin", writers.checkin)
        _WRITER_LOCKS[engine] = writers.lock
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=settings.db_connect_timeout,
        connect_args={"connect_timeout": max(1, round(settings.db_connect_timeout))},
    )


class Database:
    """An engine and its sessions. Transactions are opened by the unit of work
    (`archive.services.unit_of_work`), which alone commits."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reading = self.engine.execution_options(**{_SQLITE_BEGIN: "DEFERRED"})

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(build_engine(settings))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, writing: bool) -> Iterator[Session]:
        """A session for one transaction, rolled back unless the caller commits it, and closed at the end.

        A writing one takes SQLite's write lock at BEGIN; a reading one does not (it begins DEFERRED, and
        what it read stays loaded, detached, after it closes). Connection failures become
        `DatabaseUnavailable`, so callers above never see a driver error.
        """
        session = self._sessions() if writing else self._sessions(bind=self._reading)
        try:
            yield session
        except OperationalError as exc:
            session.rollback()
            raise DatabaseUnavailable(f"the database cannot be reached: {exc.orig}") from exc
        except DBAPIError as exc:
            session.rollback()
            if exc.connection_invalidated:
                raise DatabaseUnavailable(f"the database connection was lost: {exc.orig}") from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        """Begin a writing transaction (on SQLite it waits for the write lock, as a write would)."""
        with self.session(writing=True) as session:
            session.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
