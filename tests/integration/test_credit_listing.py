"""`GET /v1/documents?credit=`'s lookup gives the same documents, newest first, whichever way it takes: a
name credited on few documents named outright through the agents' index, or one credited on many checked
per document while walking newest first."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from archive.db.models import Document
from archive.db.repositories import documents as repository
from archive.digests import spool_stream
from archive.services.documents import search_documents
from archive.services.ingest import Upload, ingest_document
from archive.services.metadata import SuppliedCredit, SuppliedMetadata
from tests.conftest import Deployment


def archive(deployment: Deployment, number: int, credits: list[tuple[str, str]]) -> str:
    data = f"Report {number}\n\nThe body of report {number}.\n".encode()
    spooled = spool_stream(io.BytesIO(data), deployment.settings.effective_spool_dir())
    try:
        metadata = SuppliedMetadata(
            title=f"Report {number}",
            credits=[SuppliedCredit(name=name, role=role) for name, role in credits],
        )
        upload = Upload(spooled, "text/plain", f"report-{number}.txt", metadata, "test", None)
        return ingest_document(deployment.uow(), upload).version.document_id
    finally:
        spooled.discard()


def listed(deployment: Deployment, credit: str | None = None, role: str | None = None) -> list[str]:
    uow = deployment.uow()
    found, cursor = [], None
    while True:
        with uow.reading():
            page = search_documents(uow, credit=credit, role=role, limit=2, cursor=cursor)
        found += [view.document.id for view in page.documents]
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("few", [0, 2, 1_000])
def test_every_way_of_looking_a_name_up_lists_the_same_documents(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    monkeypatch.setattr(repository, "FEW_CREDITED", few)
    staff = [
        archive(deployment, n, [("Sam Staff", "author"), ("Ola Photo", "photographer")]) for n in range(5)
    ]
    rare = archive(deployment, 5, [("Rhea Rare", "author"), ("Sam Staff", "contributor")])
    others = [archive(deployment, n, [("Otto Other", "author")]) for n in range(6, 8)]
    newest_first = sorted([*staff, rare, *others], reverse=True)

    assert listed(deployment, credit="sam staff") == sorted([*staff, rare], reverse=True)
    assert listed(deployment, credit="SAM STAFF", role="contributor") == [rare]
    assert listed(deployment, credit="staff", role="author") == sorted(staff, reverse=True)
    assert listed(deployment, credit="Rhea Rare") == [rare]
    assert listed(deployment, credit="nobody credited") == []
    assert listed(deployment, role="photographer") == sorted(staff, reverse=True)
    assert listed(deployment) == newest_first


def test_a_name_on_many_documents_is_checked_per_document_newest_first(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL would otherwise join every credit of the name and sort them all (the EXISTS pulled up into
    a semi-join): the walk stays a check per document, whatever the planner's estimates."""
    monkeypatch.setattr(repository, "FEW_CREDITED", 0)
    archive(deployment, 0, [("Sam Staff", "author")])
    uow = deployment.uow()
    with uow.reading():
        walk = repository.SqlDocumentRepository(uow.session)._credited("sam staff", None)
        statement = select(Document.id).where(walk).order_by(Document.id.desc()).limit(20)
        connection = uow.session.connection()
        compiled = statement.compile(connection, compile_kwargs={"render_postcompile": True})
        if deployment.name == "production":
            explain, parameters = "EXPLAIN ", compiled.params
        else:
            explain, parameters = (
                "EXPLAIN QUERY PLAN ",
                tuple(compiled.params[k] for k in compiled.positiontup or ()),
            )
        rows = connection.exec_driver_sql(explain + str(compiled), parameters)
        plan = "\n".join(str(row[-1]) for row in rows)
    per_document = "SubPlan" if deployment.name == "production" else "CORRELATED SCALAR SUBQUERY"
    assert per_document in plan, plan
    assert "Semi Join" not in plan and "Sort" not in plan and "TEMP B-TREE" not in plan, plan
