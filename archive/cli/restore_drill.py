"""`archive restore-drill`: rebuild the archive, on a scratch database, from a fresh database backup and the
replica, and report what was verified."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from archive.cli.runtime import JsonOption, Runtime, fail, out
from archive.config import load_settings
from archive.db.backup import restored_backup
from archive.services.restore_drill import DrillReport, verify_restored


def restore_drill(
    work_dir: Annotated[
        Path | None,
        typer.Option(file_okay=False, help="Where the backup and scratch copy are made (default: temp)."),
    ] = None,
    backup: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Drill this backup (a SQLite file, or a `pg_dump --format=custom` file) instead of "
            "taking a fresh one.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Back the database up, restore the backup as a scratch database, and check it against the replica
    (ARCHIVE_REPLICA_URL): every blob read back intact, the log whole; exit 1 on any failure."""
    settings = load_settings()
    if settings.replica_url is None:
        fail("the restore drill rebuilds the archive from its replica: set ARCHIVE_REPLICA_URL")
    with (
        tempfile.TemporaryDirectory(prefix="archive-drill-", dir=work_dir) as scratch_dir,
        restored_backup(settings.database_url, Path(scratch_dir), backup) as scratch,
    ):
        drill = settings.replica_settings().model_copy(update={"database_url": scratch.url})
        with Runtime(drill) as runtime:
            report = verify_restored(runtime.unit_of_work(), scratch.how)
    _print(report, as_json)
    if not report.ok:
        fail("the archive could not be rebuilt whole from the replica and the backup")


def _print(report: DrillReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps({**asdict(report), "ok": report.ok}, indent=2))
        return
    out.print(f"backup: {report.backup}, restored as a scratch database", highlight=False)
    out.print(f"holdings: {report.documents} documents, {report.versions} versions", highlight=False)
    out.print(
        f"replica: {report.blobs_verified} of {report.blobs} blobs read back intact "
        f"({report.bytes_verified} bytes, BLAKE3 and SHA-256 checked)",
        highlight=False,
    )
    for blake3, status in report.failures:
        out.print(f"  {status}: {blake3}", highlight=False)
    log = "consistent" if report.log_problem is None else f"FAILED: {report.log_problem}"
    out.print(
        f"log: {report.log_size} leaves recomputed, {report.checkpoints} signed checkpoints: {log}",
        highlight=False,
    )
