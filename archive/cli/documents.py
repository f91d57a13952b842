"""Reading what is archived: a document's bytes, its history, the changes between versions, a bag of it."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.table import Table

from archive.cli.runtime import JsonOption, PackageFormat, Runtime, fail, out
from archive.client import ArchiveClient, ArchiveClientError, write_checked
from archive.domain.versions import MAX_VERSION
from archive.jobs.verifying_reader import VerifyingReader
from archive.services import access, documents
from archive.services.access import OPERATOR
from archive.services.documents import list_versions
from archive.services.history import diff_versions


def get(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    version: Annotated[
        int | None, typer.Option(min=1, max=MAX_VERSION, help="This version (default: the latest).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: stdout).")
    ] = None,
    server: Annotated[str | None, typer.Option(help="Fetch from this server (key in ARCHIVE_KEY).")] = None,
) -> None:
    """Write a document's bytes, checked against their BLAKE3 as they are read; nothing partial is left."""
    target: Path | BinaryIO = output if output is not None else sys.stdout.buffer
    if server is not None:
        _get_from_server(server, document_id, version, target)
        return
    with Runtime.load() as runtime:
        with runtime.reading() as uow:
            found = (  # the operator sees what an admin sees: withdrawn bytes, never purged ones
                access.served_version(uow, OPERATOR, document_id, version)
                if version is not None
                else access.served_latest(uow, OPERATOR, document_id)
            )
            info = documents.BlobInfo.of_version(found)
        reader = VerifyingReader(
            runtime.new_unit_of_work, runtime.store, runtime.settings.verify_on_read_bytes
        )
        try:
            write_checked(reader.read(info, None), info.blake3, target, source=f"document {document_id}")
        except ArchiveClientError as exc:
            fail(str(exc))


def _get_from_server(server: str, document_id: str, version: int | None, target: Path | BinaryIO) -> None:
    with ArchiveClient(server, key=os.environ.get("ARCHIVE_KEY")) as client:
        try:
            client.fetch(document_id, version=version, to=target)
        except ArchiveClientError as exc:
            fail(str(exc))


@dataclass(frozen=True)
class HistoryRow:
    version: int
    archived_at: str
    blake3: str
    notices: list[str]
    notice_dates: list[str | None]
    archived_by: str
    note: str | None


def history(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    as_json: JsonOption = False,
) -> None:
    """A document's versions: number, date, digest, notices, who archived it."""
    with Runtime.load() as runtime, runtime.writing() as uow:
        rows = [
            HistoryRow(
                version=v.number,
                archived_at=v.archived_at.isoformat(),
                blake3=v.blob_blake3,
                notices=[n.text for n in v.notices],
                notice_dates=[n.date.isoformat() if n.date else None for n in v.notices],
                archived_by=v.archived_by,
                note=v.note,
            )
            for v in list_versions(uow, document_id)
        ]
    if as_json:
        print(json.dumps({"document_id": document_id, "versions": [asdict(r) for r in rows]}, indent=2))
        return
    table = Table("version", "archived", "blake3", "notices", "by", title=f"document {document_id}")
    for row in rows:
        notices = "\n".join(row.notices)
        table.add_row(str(row.version), row.archived_at[:19], f"{row.blake3[:16]}…", notices, row.archived_by)
    out.print(table)


def diff(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    first: Annotated[int, typer.Argument(min=1, max=MAX_VERSION, help="From this version.")],
    second: Annotated[int, typer.Argument(min=1, max=MAX_VERSION, help="To this version.")],
) -> None:
    """What changed between two versions: the text as a unified diff, then fields, credits, notices."""
    with Runtime.load() as runtime, runtime.writing() as uow:
        result = diff_versions(uow, document_id, first, second)
        print(result.unified or "(no text to compare)")
        for change in result.fields:
            print(f"field {change.field}: {change.before!r} -> {change.after!r}")
        for credit in result.credits_added:
            print(f"credit added: {credit['name']} ({credit['role']})")
        for credit in result.credits_removed:
            print(f"credit removed: {credit['name']} ({credit['role']})")
        for notice in result.notices_added:
            print(f"notice added: {notice}")


def export(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
    form: Annotated[
        PackageFormat, typer.Option("--format", help="BagIt 1.0 or OCFL 1.1.")
    ] = PackageFormat.BAGIT,
) -> None:
    """Write a document as a BagIt bag (or an OCFL object) in a zip: every version's bytes, its JSON and its
    log receipt."""
    # The bag holds the wire JSON of each version and receipt, as the API renders them.
    from archive.services.export import export_to_file  # noqa: PLC0415
    from archive.wire.bag import WIRE_RENDERING  # noqa: PLC0415

    with Runtime.load() as runtime, runtime.writing() as uow:
        access.require_exportable(uow, OPERATOR, document_id)  # purged bytes: said so, before any work
        summary = export_to_file(
            uow,
            document_id,
            output,
            rendering=WIRE_RENDERING,
            work_dir=runtime.settings.effective_spool_dir(),
            form=form.value,
        )
    out.print(
        f"wrote {output}: document {summary.document_id}, {summary.versions} version(s), "
        f"{summary.zip_size} bytes",
        highlight=False,
    )
