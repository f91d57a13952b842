"""`archive ingest`: archive files and folders in bulk, here or through a server, resumably."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from archive.bulk import (
    Journal,
    LocalTarget,
    RemoteTarget,
    Summary,
    Target,
    collect_files,
    ingest_files,
    read_sidecar,
)
from archive.cli.runtime import JsonOption, Runtime, cli_actor, err, fail, out
from archive.client import ArchiveClient
from archive.wire.versions import render_version


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (folders recursively).")],
    *,
    server: Annotated[
        str | None, typer.Option(help="Archive through this server (key in ARCHIVE_KEY), not locally.")
    ] = None,
    metadata: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="A CSV or JSON Lines catalogue.")
    ] = None,
    journal: Annotated[Path, typer.Option(help="What was archived, so that a resumed run skips it.")] = Path(
        ".archive-ingest.jsonl"
    ),
    follow_links: Annotated[
        bool,
        typer.Option("--follow-links", help="Archive what symbolic links point at (left out by default)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Archive files and folders, with a progress bar and a summary; resumable after an interruption.
    Symbolic links and names that are not UTF-8 are left out and reported."""
    collected = collect_files(paths, follow_links=follow_links)
    files = collected.files
    catalogue = read_sidecar(metadata) if metadata is not None else None
    with (
        _ingest_target(server) as target,
        Progress(
            *Progress.get_default_columns(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=err,
            disable=as_json or not err.is_terminal,
        ) as progress,
    ):
        task = progress.add_task("archiving", total=sum(file.size for file in files))
        summary = ingest_files(
            files,
            target,
            Journal(journal),
            catalogue,
            on_file=lambda file: progress.advance(task, file.size),
            follow_links=follow_links,
        )
    summary.outcomes.extend(collected.skipped)
    if as_json:
        print(json.dumps([asdict(outcome) for outcome in summary.outcomes], indent=2))
    else:
        _print_summary(summary, len(files) + len(collected.skipped))
    failed = summary.count("failed")
    if failed:
        fail(f"{failed} of {len(files)} files were not archived")


@contextmanager
def _ingest_target(server: str | None) -> Iterator[Target]:
    """Where the files go: through the server when one is named, else into this archive directly."""
    if server is not None:
        with ArchiveClient(server, key=os.environ.get("ARCHIVE_KEY")) as client:
            yield RemoteTarget(client)
        return
    with Runtime.load() as runtime:
        yield LocalTarget(runtime.unit_of_work(), cli_actor(), render_version)


def _print_summary(summary: Summary, file_count: int) -> None:
    statuses = ("archived", "already present", "failed", "skipped")
    table = Table(*statuses, title=f"{file_count} files")
    table.add_row(*(str(summary.count(s)) for s in statuses))
    out.print(table)
    for outcome in summary.outcomes:
        if outcome.status in ("failed", "skipped"):
            out.print(f"{outcome.status}: {outcome.path}: {outcome.reason}", highlight=False, markup=False)
