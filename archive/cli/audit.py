"""`archive audit`: re-read and re-hash every blob, or help finish an audit another process started."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from archive.cli.runtime import JsonOption, Runtime, cli_actor, err, fail, out
from archive.jobs.audit import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, BatchOutcome, sweep_audit
from archive.services.audit import AuditReport, get_audit_progress, get_audit_report, start_audit
from archive.storage import BlobStore
from archive.wire.audits import AuditOut


def audit(
    audit_id: Annotated[
        str | None, typer.Option("--audit", help="Join the audit with this id instead of starting one.")
    ] = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=10_000, help="Blobs leased, checked and committed together.")
    ] = DEFAULT_BATCH_SIZE,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Threads reading and hashing blobs (a remote store may want more).",
        ),
    ] = DEFAULT_WORKERS,
    as_json: JsonOption = False,
) -> None:
    """Re-read and re-hash every blob (or help finish an audit); exit 1 when any is corrupt or missing."""
    started = time.perf_counter()
    with Runtime.load() as runtime:
        uow = runtime.unit_of_work()  # the database (migrated) first, then the store, as before
        store = runtime.store  # opened before an audit is started, so that a bad store leaves none behind
        actor = cli_actor()
        if audit_id is None:
            with runtime.writing() as uow:
                audit_id = start_audit(uow, actor).id
        run = _sweep_with_progress(
            runtime, store, audit_id, actor=actor, batch=batch, workers=workers, shown=not as_json
        )
        with runtime.reading() as uow:
            report = get_audit_report(uow, audit_id)
    run.seconds = time.perf_counter() - started
    if as_json:
        _print_audit_json(report, run)
    else:
        _print_audit_report(report)
    if report.failed:
        fail(
            f"audit {report.id}: {report.failed} of {report.total} blobs failed fixity "
            f"({report.counts['corrupt']} corrupt, {report.counts['missing']} missing)"
        )


@dataclass
class _AuditRun:
    """What this process checked of an audit, and how long it took from the command's start."""

    checked: int = 0
    bytes_checked: int = 0
    seconds: float = 0.0


def _audit_progress_bar(shown: bool) -> Progress:
    """Blobs checked of the total, bytes read, the rate and the time left (hidden when not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[checked]}/{task.fields[blobs]} blobs"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not shown or not err.is_terminal,  # a bare newline is all it would leave in a pipe or a log
    )


def _sweep_with_progress(
    runtime: Runtime,
    store: BlobStore,
    audit_id: str,
    *,
    actor: str,
    batch: int,
    workers: int,
    shown: bool,
) -> _AuditRun:
    """Help sweep the audit until it is done, advancing a progress bar (from what others checked before)."""
    run = _AuditRun()
    with runtime.reading() as uow:
        before = get_audit_progress(uow, audit_id)
    with _audit_progress_bar(shown) as progress:
        task = progress.add_task(
            f"audit {audit_id}",
            total=before.total_bytes,
            completed=before.checked_bytes,
            checked=before.checked,
            blobs=before.total,
        )

        def show(outcome: BatchOutcome) -> None:
            run.checked += outcome.checked
            run.bytes_checked += outcome.bytes_checked
            progress.update(task, advance=outcome.bytes_checked, checked=before.checked + run.checked)

        sweep_audit(
            runtime.new_unit_of_work,
            audit_id,
            actor=actor,
            batch_size=batch,
            workers=workers,
            on_batch=show,
        )
    return run


def _print_audit_report(report: AuditReport) -> None:
    counts = Table("status", "blobs", title=f"audit {report.id} ({report.status})", box=None)
    for status in ("ok", "corrupt", "missing", "pending", "purged"):
        if status not in {"pending", "purged"} or report.counts.get(status):
            counts.add_row(status, str(report.counts[status]))
    out.print(counts)
    for failure in report.failures:  # one line each, digest whole, for grep and for the record
        out.print(
            f"{failure.status:<8} {failure.blake3}  checked {failure.checked_at:%Y-%m-%dT%H:%M:%SZ}  "
            f"log index {failure.log_index}",
            highlight=False,
        )


def _print_audit_json(report: AuditReport, run: _AuditRun) -> None:
    """The report as the API's `GET /v1/audits/{id}` gives it, plus `failed` and what this process did."""
    document = {
        **AuditOut.of(report).model_dump(mode="json"),
        "failed": report.failed,
        "run": {
            "checked": run.checked,
            "bytes_checked": run.bytes_checked,
            "seconds": round(run.seconds, 3),
        },
    }
    print(json.dumps(document, indent=2), flush=True)
