"""SQLite writers of one process queue on a lock: it is always given back, however a transaction ends."""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import PendingRollbackError

from archive.db.session import Database, FairLock, sqlite_writer_lock
from tests.conftest import embedded_deployment


@pytest.fixture
def database(tmp_path: Path) -> Database:
    return embedded_deployment(tmp_path).db


def held(database: Database) -> bool:
    lock = sqlite_writer_lock(database.engine)
    assert lock is not None
    return lock.locked()


def test_a_writer_holds_the_lock_until_its_commit_is_done(database: Database) -> None:
    with database.session(writing=True) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
        assert held(database)
        session.commit()
    assert not held(database)
    with database.session(writing=False) as session:
        session.execute(text("SELECT 1"))
        assert not held(database), "a reader takes no write lock"


def test_the_lock_is_given_back_after_a_rollback_and_after_an_invalidated_connection(
    database: Database,
) -> None:
    with pytest.raises(RuntimeError), database.session(writing=True) as session:
        session.execute(text("SELECT 1"))
        raise RuntimeError("the work failed")
    assert not held(database)

    with pytest.raises(PendingRollbackError), database.session(writing=True) as session:
        session.execute(text("SELECT 1"))
        session.connection().invalidate()
        session.execute(text("SELECT 1"))
    assert not held(database)
    with database.session(writing=True) as session:  # and the next writer gets it
        assert session.execute(text("SELECT 2")).scalar_one() == 2


def test_a_connection_beginning_again_does_not_wait_for_itself(database: Database) -> None:
    with database.engine.connect() as connection:  # commit as you go, as migrations do
        connection.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
        connection.commit()
        connection.execute(text("INSERT INTO probe VALUES (1)"))
        connection.commit()
        assert held(database)  # until the connection goes back to the pool
    assert not held(database)


def test_other_databases_have_no_such_lock(pg_database: Database) -> None:
    assert sqlite_writer_lock(pg_database.engine) is None


def test_writers_get_the_lock_in_the_order_they_came() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []
    queued: list[threading.Thread] = []

    def writer(n: int) -> None:
        assert lock.acquire(timeout=30)
        order.append(n)
        lock.release()

    for n in range(5):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        queued.append(thread)
        while len(lock._line) < n + 1:  # each waits in line before the next comes
            time.sleep(0.001)
    # The holder releases and at once wants the lock again: it goes to the back, behind all five.
    lock.release()
    assert lock.acquire(timeout=30)
    order.append(99)
    lock.release()
    for thread in queued:
        thread.join()
    assert order == [0, 1, 2, 3, 4, 99]
    assert not lock.locked()


def test_a_waiter_that_gives_up_leaves_its_place() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    assert lock._line == deque() and lock.locked()
    lock.release()
    assert not lock.locked() and lock.acquire(timeout=0) and lock.locked()
