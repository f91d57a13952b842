"""`archive reextract`: read archived documents again with today's extractor, adding a version only where
the result differs (versions archived before are never rewritten)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.table import Table

from archive.cli.runtime import JsonOption, Runtime, cli_actor, out
from archive.extract.revision import EXTRACTOR_VERSION
from archive.services.ingest import reextract_document
from archive.services.unit_of_work import UnitOfWork

PAGE = 100


def reextract(
    document: Annotated[
        list[str] | None, typer.Option("--document", help="This document (repeatable; default: every one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Read each document's latest version again; where it reads differently, add a version with the same
    bytes and supplied metadata, noted as re-read by this extractor."""
    rows: list[dict[str, object]] = []
    with Runtime.load() as runtime:
        uow = runtime.unit_of_work()
        for document_id in document or list(_every_document(uow)):
            result = reextract_document(uow, document_id, actor=cli_actor())
            rows.append(
                {"document_id": document_id, "version": result.version.number, "changed": result.created}
            )
    if as_json:
        print(json.dumps({"extractor": EXTRACTOR_VERSION, "documents": rows}, indent=2))
        return
    table = Table("document", "version", "result", title=f"re-read by {EXTRACTOR_VERSION}")
    for row in rows:
        table.add_row(
            str(row["document_id"]), str(row["version"]), "new version" if row["changed"] else "unchanged"
        )
    out.print(table)


def _every_document(uow: UnitOfWork) -> Iterator[str]:
    """Every document's id, newest first, a page at a time."""
    after: str | None = None
    while True:
        with uow.reading():
            page = [
                d.id
                for d in uow.documents.search(
                    credit=None, role=None, q=None, words=None, source_url=None, after=after, limit=PAGE
                )
            ]
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1]
