"""`archive import`: a document exported by an archive (OCFL 1.1), archived here again, version by
version, under its id."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archive.cli.runtime import PackageFormat, Runtime, cli_actor, fail, out
from archive.services.ocfl_import import import_ocfl


def import_package(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The zip to import.")],
    form: Annotated[PackageFormat, typer.Option("--format", help="The package's format (ocfl).")],
) -> None:
    """Import a document from an OCFL object (a zip as `archive export --format ocfl` writes it): each
    version's bytes and supplied metadata archived again, all or nothing."""
    if form is not PackageFormat.OCFL:
        fail("only OCFL objects are imported (--format ocfl)")
    with Runtime.load() as runtime:
        summary = import_ocfl(
            runtime.unit_of_work(), path, actor=cli_actor(), max_bytes=runtime.settings.max_upload_bytes
        )
    repeated = (
        f" ({summary.repeated} repeating the one before, not archived again)" if summary.repeated else ""
    )
    out.print(
        f"imported document {summary.document_id}: {summary.versions} version(s){repeated}", highlight=False
    )
