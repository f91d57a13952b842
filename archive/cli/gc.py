"""`archive gc`: remove what no row references, past a grace period."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from archive.cli.runtime import Runtime, out
from archive.jobs.gc import collect_garbage


def gc(
    grace_seconds: Annotated[
        int, typer.Option(min=0, help="Only what is older than this may go (default one hour).")
    ] = 3600,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, delete nothing.")] = False,
) -> None:
    """Remove blobs no row references, and spool files of interrupted uploads, past a grace period."""
    with Runtime.load() as runtime:
        report = collect_garbage(
            runtime.new_unit_of_work,
            grace=timedelta(seconds=grace_seconds),
            spool_dir=runtime.settings.effective_spool_dir(),
            dry_run=dry_run,
        )
    verb = "would delete" if dry_run else "deleted"
    out.print(
        f"blobs scanned {report.scanned}, referenced {report.referenced}, younger than the grace period "
        f"{report.too_young}, unreferenced {verb} {report.deleted}; spool files {verb} "
        f"{report.spool_files_removed}; bytes of purged blobs left behind {verb} {report.purged_removed}",
        highlight=False,
    )
