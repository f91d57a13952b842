"""The audits API's own wire models: the answer to starting an audit."""

from __future__ import annotations

from pydantic import BaseModel


class AuditStartedOut(BaseModel):
    id: str
    status: str
    total: int
    url: str
