"""The documents API's own wire models: lists and pages of what `archive.wire` renders."""

from __future__ import annotations

from pydantic import BaseModel

from archive.wire.versions import DocumentOut, VersionOut


class VersionList(BaseModel):
    document_id: str
    versions: list[VersionOut]


class DocumentPage(BaseModel):
    documents: list[DocumentOut]
    next_cursor: str | None
