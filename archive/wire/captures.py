"""Captures and watches on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from archive.db.capture_models import Capture, Watch, WatchCheck
from archive.services.metadata import Url


class CaptureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[Url, Field(description="An absolute http or https URL.")]
    document_id: str | None = Field(
        default=None, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="Add the page as a version of it."
    )
    note: str | None = Field(default=None, max_length=4000)


class CaptureOut(BaseModel):
    id: str
    url: str
    status: str = Field(description="queued, running, done or failed")
    error: str | None = Field(description="Why it failed (or why it waits), as a sentence.")
    final_url: str | None
    http_status: int | None
    document_id: str | None
    version: int | None
    warc_url: str | None
    watch_id: str | None
    requested_by: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, capture: Capture) -> CaptureOut:
        return cls(
            id=capture.id,
            url=capture.url,
            status=capture.status,
            error=capture.error,
            final_url=capture.final_url,
            http_status=capture.http_status,
            document_id=capture.document_id,
            version=capture.version,
            warc_url=f"/v1/captures/{capture.id}/warc" if capture.warc_blake3 else None,
            watch_id=capture.watch_id,
            requested_by=capture.requested_by,
            requested_at=capture.requested_at,
            started_at=capture.started_at,
            finished_at=capture.finished_at,
        )


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[Url, Field(description="An absolute http or https URL.")]
    interval_seconds: int = Field(ge=1, le=366 * 86400, description="How often to look at the page.")


class CheckOut(BaseModel):
    checked_at: datetime
    outcome: str = Field(description="unchanged, changed or failed")
    version: int | None
    capture_id: str | None
    error: str | None

    @classmethod
    def of(cls, check: WatchCheck) -> CheckOut:
        return cls(
            checked_at=check.checked_at,
            outcome=check.outcome,
            version=check.version,
            capture_id=check.capture_id,
            error=check.error,
        )


class WatchOut(BaseModel):
    id: str
    url: str
    interval_seconds: int
    document_id: str | None
    next_check_at: datetime
    failures: int = Field(description="Checks that failed in a row (each doubles the wait).")
    created_by: str
    created_at: datetime
    checks: list[CheckOut] = Field(description="The latest checks, newest first.")

    @classmethod
    def of(cls, watch: Watch, checks: list[WatchCheck]) -> WatchOut:
        return cls(
            id=watch.id,
            url=watch.url,
            interval_seconds=watch.interval_seconds,
            document_id=watch.document_id,
            next_check_at=watch.next_check_at,
            failures=watch.failures,
            created_by=watch.created_by,
            created_at=watch.created_at,
            checks=[CheckOut.of(check) for check in checks],
        )


class WatchList(BaseModel):
    watches: list[WatchOut]
    next_cursor: str | None
