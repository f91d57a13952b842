"""A fixity audit's progress, counts per status, and failures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from archive.services.audit import AuditReport


class AuditFailureOut(BaseModel):
    blake3: str
    status: str
    checked_at: datetime
    log_index: int | None


class AuditCountsOut(BaseModel):
    ok: int
    corrupt: int
    missing: int
    pending: int
    purged: int = Field(
        default=0, description="Blobs purged on purpose (their bytes removed): not checked, not failures."
    )


class AuditOut(BaseModel):
    id: str
    status: str = Field(description="running or done.")
    requested_by: str
    started_at: datetime
    finished_at: datetime | None
    total: int
    counts: AuditCountsOut
    failures: list[AuditFailureOut] = Field(description="Corrupt and missing blobs (the first thousand).")

    @classmethod
    def of(cls, report: AuditReport) -> AuditOut:
        return cls(
            id=report.id,
            status=report.status,
            requested_by=report.requested_by,
            started_at=report.started_at,
            finished_at=report.finished_at,
            total=report.total,
            counts=AuditCountsOut(**report.counts),
            failures=[
                AuditFailureOut(
                    blake3=f.blake3, status=f.status, checked_at=f.checked_at, log_index=f.log_index
                )
                for f in report.failures
            ],
        )
