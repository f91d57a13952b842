"""Wire models (JSON in and out), separate from the ORM rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from archive.db.models import Version
from archive.digests import DIGEST_PATTERN
from archive.services.documents import DocumentView
from archive.services.verify import Verification


def multipart_body(
    fields: dict[str, dict[str, Any]], alternatives: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The OpenAPI request body of a route that parses its multipart upload as a stream: a required
    binary `file` part, the given extra `fields`, and any `alternatives` (other media types)."""
    properties = {"file": {"type": "string", "format": "binary"}, **fields}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    content = {"multipart/form-data": {"schema": schema}, **(alternatives or {})}
    return {"requestBody": {"required": True, "content": content}}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class CreditOut(BaseModel):
    name: str
    kind: str
    role: str
    source: str
    evidence: dict[str, Any] | None = None


class PhotoOut(BaseModel):
    caption: str | None = None
    credit: str | None = None
    credits: list[CreditOut] = Field(default_factory=list)


class UpdateNoticeOut(BaseModel):
    text: str
    date: datetime | None = None
    evidence: dict[str, Any] | None = None


class VersionOut(BaseModel):
    document_id: str
    version: int
    blake3: str
    sha256: str
    size: int
    media_type: str
    filename: str | None
    archived_at: datetime
    archived_by: str
    source_url: str | None
    title: str | None
    subtitle: str | None
    publisher: str | None
    language: str | None
    published_at: datetime | None
    credits: list[CreditOut] = Field(default_factory=list)
    photos: list[PhotoOut] = Field(default_factory=list)
    update_notices: list[UpdateNoticeOut] = Field(default_factory=list)
    note: str | None
    log_index: int | None = None
    content_url: str

    @classmethod
    def of(cls, version: Version) -> VersionOut:
        return cls(
            document_id=version.document_id,
            version=version.number,
            blake3=version.blob.blake3,
            sha256=version.blob.sha256,
            size=version.blob.size,
            media_type=version.media_type,
            filename=version.filename,
            archived_at=version.archived_at,
            archived_by=version.archived_by,
            source_url=version.source_url,
            title=version.title,
            subtitle=version.subtitle,
            publisher=version.publisher,
            language=version.language,
            published_at=version.published_at,
            note=version.note,
            content_url=f"/v1/documents/{version.document_id}/versions/{version.number}/content",
        )


class DocumentOut(BaseModel):
    id: str
    source_url: str | None
    created_at: datetime
    created_by: str
    version_count: int
    latest: VersionOut | None

    @classmethod
    def of(cls, view: DocumentView) -> DocumentOut:
        document = view.document
        return cls(
            id=document.id,
            source_url=document.source_url,
            created_at=document.created_at,
            created_by=document.created_by,
            version_count=document.latest_version,
            latest=VersionOut.of(view.latest) if view.latest is not None else None,
        )


class VersionList(BaseModel):
    document_id: str
    versions: list[VersionOut]


class VerifyByDigest(BaseModel):
    """Ask about a digest without uploading: give exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    blake3: str | None = Field(default=None, pattern=DIGEST_PATTERN)
    sha256: str | None = Field(default=None, pattern=DIGEST_PATTERN)


class HoldingOut(BaseModel):
    document_id: str
    version: int
    archived_at: datetime
    url: str


class VerificationOut(BaseModel):
    archived: bool
    blake3: str | None
    sha256: str | None
    size: int | None
    versions: list[HoldingOut]
    fixity: dict[str, Any] | None = None

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        return cls(
            archived=result.archived,
            blake3=result.blake3,
            sha256=result.sha256,
            size=result.size,
            versions=[
                HoldingOut(
                    document_id=h.document_id,
                    version=h.version,
                    archived_at=h.archived_at,
                    url=f"/v1/documents/{h.document_id}/versions/{h.version}",
                )
                for h in result.versions
            ],
        )


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
