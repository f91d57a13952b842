"""The unit of work itself: one transaction at a time, rolled back when it raises."""

from __future__ import annotations

import pytest

from archive.db.models import Document
from archive.services.unit_of_work import FakeUnitOfWork, NestedTransaction


def test_a_transaction_that_raises_leaves_no_row(uow: FakeUnitOfWork) -> None:
    with pytest.raises(ValueError, match="stop"), uow.writing():
        uow.documents.add(Document(id="01JAAAAAAAAAAAAAAAAAAAAAAA", created_by="alice", latest_version=0))
        raise ValueError("stop")

    with uow.reading():
        assert uow.documents.get("01JAAAAAAAAAAAAAAAAAAAAAAA") is None
    assert (uow.commits, uow.rollbacks) == (0, 1)


def test_a_writing_transaction_keeps_what_it_wrote(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        uow.documents.add(Document(id="01JAAAAAAAAAAAAAAAAAAAAAAA", created_by="alice", latest_version=0))

    with uow.reading():
        assert uow.documents.get("01JAAAAAAAAAAAAAAAAAAAAAAA") is not None
    assert uow.commits == 1


def test_transactions_do_not_nest(uow: FakeUnitOfWork) -> None:
    with uow.reading(), pytest.raises(NestedTransaction), uow.writing():
        pass


def test_between_transactions_there_are_no_repositories(uow: FakeUnitOfWork) -> None:
    with uow.reading():
        assert uow.documents.get("01JAAAAAAAAAAAAAAAAAAAAAAA") is None
    with pytest.raises(AttributeError):
        uow.documents.get("01JAAAAAAAAAAAAAAAAAAAAAAA")
