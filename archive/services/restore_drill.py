"""The restore drill: proof that the archive could be rebuilt from its replica and a database backup.

The command line restores a fresh backup into a scratch database (`archive.db.backup`) and hands this a
unit of work over that database with the replica as its blob store. Every blob the backup records is read
from the replica and hashed (BLAKE3, SHA-256 and size against the row), and the log is recomputed from the
backup's leaves and held against every checkpoint it signed: what a rebuilt archive would serve and prove.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from archive.services.fixity import measure
from archive.services.log import verify_log
from archive.services.unit_of_work import SqlUnitOfWork

PAGE = 500


@dataclass
class DrillReport:
    backup: str
    documents: int = 0
    versions: int = 0
    blobs: int = 0
    blobs_verified: int = 0
    bytes_verified: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    log_size: int = 0
    checkpoints: int = 0
    log_problem: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failures and self.log_problem is None and self.blobs_verified == self.blobs


def verify_restored(
    uow: SqlUnitOfWork, backup: str, progress: Callable[[int], None] | None = None
) -> DrillReport:
    """Check the restored database against the blob store of `uow` (the replica): every blob intact, the
    log whole and consistent with its checkpoints."""
    report = DrillReport(backup=backup)
    with uow.reading():
        report.documents, report.versions = uow.replicas.holdings()
    after = ""
    while True:
        with uow.reading():
            page = uow.replicas.digests_after(after, PAGE)
        if not page:
            break
        for expected in page:
            report.blobs += 1
            found = measure(uow.store, expected)
            if found.status == "ok":
                report.blobs_verified += 1
                report.bytes_verified += expected.size
            else:
                report.failures.append((expected.blake3, found.status))
        after = page[-1].blake3
        if progress is not None:
            progress(report.blobs)
    with uow.reading():
        verified = verify_log(uow)
    report.log_size, report.checkpoints, report.log_problem = (
        verified.size,
        verified.checkpoints,
        verified.problem,
    )
    return report
