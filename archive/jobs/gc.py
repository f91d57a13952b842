"""Collecting garbage: blobs in storage that no row references (left by uploads that never committed),
and spool files left by interrupted uploads, once they are older than a grace period.

A blob is deleted only inside a transaction that holds the digest's lock (the one `store_blob` takes before
it writes) and has just seen that no row references it, so an upload in flight can never lose its blob.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.services.unit_of_work import SqlUnitOfWork


@dataclass
class GcReport:
    scanned: int = 0
    referenced: int = 0
    too_young: int = 0
    deleted: int = 0
    purged_removed: int = 0
    spool_files_removed: int = 0


def collect_garbage(
    new_uow: Callable[[], SqlUnitOfWork],
    *,
    grace: timedelta,
    spool_dir: Path | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> GcReport:
    now = now or datetime.now(UTC)
    report = GcReport()
    uow = new_uow()
    for stored in uow.store.iter_blobs():
        report.scanned += 1
        if now - stored.modified_at < grace:
            report.too_young += 1
            continue
        with uow.writing():  # one transaction per blob, holding its digest's lock
            uow.blobs.lock(stored.blake3)
            if uow.blobs.get(stored.blake3) is not None:
                if _purged_and_unheld(uow, stored.blake3):  # bytes an interrupted purge left behind
                    if not dry_run:
                        uow.store.delete(stored.blake3)
                    report.purged_removed += 1
                    continue
                report.referenced += 1
                continue
            if not dry_run:
                uow.store.delete(stored.blake3)
            report.deleted += 1
    if spool_dir is not None and spool_dir.is_dir():
        report.spool_files_removed = _remove_old_spool_files(spool_dir, now - grace, dry_run)
    return report


def _purged_and_unheld(uow: SqlUnitOfWork, blake3: str) -> bool:
    """A blob a purge tombstoned that no document under a legal hold uses: its bytes may go. A held
    document's blobs are never removed."""
    governance = uow.governance
    return governance.purge_of_blob(blake3) is not None and not governance.held_documents_using(blake3)


def _remove_old_spool_files(spool_dir: Path, before: datetime, dry_run: bool) -> int:
    """Spool files of interrupted uploads, and scratch folders of interrupted exports."""
    removed = 0
    for path in [*spool_dir.glob("upload-*.part"), *spool_dir.glob("archive-export-*")]:
        if datetime.fromtimestamp(path.stat().st_mtime, UTC) < before:
            if not dry_run:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            removed += 1
    return removed
