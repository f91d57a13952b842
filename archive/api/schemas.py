"""Wire models (JSON in and out), separate from the ORM rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from archive.attribution import ROLES
from archive.db.models import Credit, Notice, Photo, Version
from archive.digests import DIGEST_PATTERN
from archive.services.audit import AuditReport
from archive.services.documents import AgentView, DocumentView
from archive.services.history import VersionDiff
from archive.services.verify import Verification


def multipart_body(
    fields: dict[str, dict[str, Any]],
    alternatives: dict[str, Any] | None = None,
    *,
    idempotent: bool = False,
) -> dict[str, Any]:
    """The OpenAPI request body of a route that parses its multipart upload as a stream: a required
    binary `file` part, the given extra `fields`, any `alternatives` (other media types), and, for
    uploads, the `Idempotency-Key` header they honour."""
    properties = {"file": {"type": "string", "format": "binary"}, **fields}
    # The parser refuses any other part, so the schema does too.
    schema = {"type": "object", "required": ["file"], "properties": properties, "additionalProperties": False}
    content = {"multipart/form-data": {"schema": schema}, **(alternatives or {})}
    extra: dict[str, Any] = {"requestBody": {"required": True, "content": content}}
    if idempotent:
        extra["parameters"] = [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry with the same key and body gets the first answer; another body, 422.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
            }
        ]
    return extra


def request_headers(descriptions: dict[str, str], patterns: dict[str, str] | None = None) -> dict[str, Any]:
    """The OpenAPI `parameters` of optional request headers that a route reads itself (`Range`,
    `Accept-Datetime` …), so that clients and fuzzers know of them; `patterns` gives the form of some."""
    patterns = patterns or {}
    return {
        "parameters": [
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": description,
                "schema": {"type": "string", **({"pattern": patterns[name]} if name in patterns else {})},
            }
            for name, description in descriptions.items()
        ]
    }


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` written in place, for OpenAPI documents that name it
    outside `components` (pydantic's `#/$defs/…` references do not resolve there)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved = resolve(schema)
    assert isinstance(resolved, dict)
    return resolved


def problem_doc(description: str) -> dict[str, Any]:
    """An error response in OpenAPI: RFC 9457 problem details, as `application/problem+json`."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": inline_schema(Problem)}},
    }


def version_path(document_id: str, number: int) -> str:
    """Where a version is served: the one place its URL is spelled."""
    return f"/v1/documents/{document_id}/versions/{number}"


def unauthenticated_doc() -> dict[str, Any]:
    return problem_doc("No key, or a malformed, unknown or revoked key.")


def forbidden_doc() -> dict[str, Any]:
    return problem_doc("The key's role does not allow this.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class Evidence(BaseModel):
    """Where a value came from: the rule or field that found it, and its span in the version's text
    (`[start, end)`, character offsets into `GET …/versions/{n}/text`)."""

    rule: str | None
    span: tuple[int, int] | None


def _evidence(rule: str | None, start: int | None, end: int | None) -> Evidence | None:
    if rule is None and start is None:
        return None
    span = (start, end) if start is not None and end is not None else None
    return Evidence(rule=rule, span=span)


class CreditOut(BaseModel):
    name: str
    kind: str
    role: str
    marc_relator: str
    source: str
    evidence: Evidence | None
    agent_id: int
    identifiers: dict[str, str] = Field(default_factory=dict)
    photo: int | None = None

    @classmethod
    def of(cls, credit: Credit, photo_positions: dict[int, int]) -> CreditOut:
        return cls(
            name=credit.name,
            kind=credit.agent.kind,
            role=credit.role,
            marc_relator=ROLES[credit.role].marc_relator,
            source=credit.source,
            evidence=_evidence(credit.rule, credit.span_start, credit.span_end),
            agent_id=credit.agent_id,
            identifiers=credit.agent.identifiers,
            photo=photo_positions.get(credit.photo_id) if credit.photo_id is not None else None,
        )


class PhotoOut(BaseModel):
    caption: str | None
    credit: str | None
    credits: list[CreditOut]
    source: str
    evidence: Evidence | None

    @classmethod
    def of(cls, photo: Photo, position: int) -> PhotoOut:
        return cls(
            caption=photo.caption,
            credit=photo.credit_line,
            credits=[CreditOut.of(c, {photo.id: position}) for c in photo.credits],
            source=photo.source,
            evidence=_evidence(photo.rule, photo.span_start, photo.span_end),
        )


class UpdateNoticeOut(BaseModel):
    kind: str
    text: str
    date: datetime | None
    evidence: Evidence | None

    @classmethod
    def of(cls, notice: Notice) -> UpdateNoticeOut:
        return cls(
            kind=notice.kind,
            text=notice.text,
            date=notice.date,
            evidence=_evidence(notice.rule, notice.span_start, notice.span_end),
        )


class Alternatives(BaseModel):
    """What extraction found that lost to the archivist's values, kept with its evidence."""

    model_config = ConfigDict(extra="allow")

    credits: list[CreditOut] = Field(default_factory=list)
    photos: list[PhotoOut] = Field(default_factory=list)


class VersionOut(BaseModel):
    document_id: str
    version: int
    follows: int | None = Field(description="The version this one follows (None for the first).")
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
    modified_at: datetime | None
    credits: list[CreditOut]
    photos: list[PhotoOut]
    update_notices: list[UpdateNoticeOut]
    field_evidence: dict[str, Any]
    alternatives: Alternatives
    extraction_problems: list[str]
    note: str | None
    log_index: int | None = None
    content_url: str
    text_url: str | None

    @classmethod
    def of(cls, version: Version) -> VersionOut:
        accepted_photos = [photo for photo in version.photos if photo.accepted]
        positions = {photo.id: number for number, photo in enumerate(accepted_photos)}
        base = version_path(version.document_id, version.number)
        return cls(
            document_id=version.document_id,
            version=version.number,
            follows=version.number - 1 if version.number > 1 else None,
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
            modified_at=version.modified_at,
            credits=_unique_credits(c for c in version.credits if c.accepted and _shown(c, positions)),
            photos=[PhotoOut.of(photo, positions[photo.id]) for photo in accepted_photos],
            update_notices=[UpdateNoticeOut.of(notice) for notice in version.notices],
            field_evidence=version.field_evidence,
            alternatives=Alternatives(
                **version.alternatives,
                credits=[CreditOut.of(c, {}) for c in version.credits if not c.accepted],
                photos=[PhotoOut.of(p, n) for n, p in enumerate(version.photos) if not p.accepted],
            ),
            extraction_problems=version.extraction_problems,
            note=version.note,
            log_index=version.log_index,
            content_url=f"{base}/content",
            text_url=f"{base}/text" if version.has_text else None,
        )


def _shown(credit: Credit, photo_positions: dict[int, int]) -> bool:
    return credit.photo_id is None or credit.photo_id in photo_positions


def _unique_credits(credits: Iterable[Credit]) -> list[CreditOut]:
    """One entry per agent and role (a photographer of several photos is listed once)."""
    seen: dict[tuple[int, str], CreditOut] = {}
    for credit in credits:
        key = (credit.agent_id, credit.role)
        if key not in seen:
            seen[key] = CreditOut.of(credit, {})
    return list(seen.values())


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


class LastFixityOut(BaseModel):
    """The blob's last fixity check; `log_index` is the log leaf that recorded a failure."""

    status: str = Field(description="ok, corrupt or missing.")
    checked_at: datetime
    log_index: int | None


class VerificationOut(BaseModel):
    archived: bool
    blake3: str | None
    sha256: str | None
    size: int | None
    versions: list[HoldingOut]
    fixity: LastFixityOut | None = Field(default=None, description="The last fixity check (None: never).")

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
                    url=version_path(h.document_id, h.version),
                )
                for h in result.versions
            ],
            fixity=LastFixityOut(
                status=result.fixity.status,
                checked_at=result.fixity.checked_at,
                log_index=result.fixity.log_index,
            )
            if result.fixity is not None
            else None,
        )


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)


class DocumentPage(BaseModel):
    documents: list[DocumentOut]
    next_cursor: str | None


class AgentCreditOut(BaseModel):
    document_id: str
    version: int
    role: str
    name: str
    title: str | None
    url: str


class AgentOut(BaseModel):
    id: int
    name: str
    kind: str
    identifiers: dict[str, str]
    credits: list[AgentCreditOut]

    @classmethod
    def of(cls, view: AgentView) -> AgentOut:
        agent = view.agent
        return cls(
            id=agent.id,
            name=agent.name,
            kind=agent.kind,
            identifiers=agent.identifiers,
            credits=[
                AgentCreditOut(
                    document_id=version.document_id,
                    version=version.number,
                    role=credit.role,
                    name=credit.name,
                    title=version.title,
                    url=version_path(version.document_id, version.number),
                )
                for credit, version in view.credits
            ],
        )


class LineChangeOut(BaseModel):
    kind: str
    from_lines: tuple[int, int]
    to_lines: tuple[int, int]
    removed: list[str]
    added: list[str]


class TextDiffOut(BaseModel):
    unified: str
    changes: list[LineChangeOut]
    lines_added: int
    lines_removed: int


class FieldChangeOut(BaseModel):
    field: str
    before: Any
    after: Any


class ListDiffOut(BaseModel):
    added: list[Any]
    removed: list[Any]


class DiffOut(BaseModel):
    document_id: str
    from_version: int = Field(serialization_alias="from")
    to_version: int = Field(serialization_alias="to")
    text: TextDiffOut | None
    fields: list[FieldChangeOut]
    credits: ListDiffOut
    update_notices: ListDiffOut

    @classmethod
    def of(cls, diff: VersionDiff) -> DiffOut:
        text = None
        if diff.unified is not None:
            text = TextDiffOut(
                unified=diff.unified,
                changes=[
                    LineChangeOut(
                        kind=c.kind,
                        from_lines=(c.from_start, c.from_end),
                        to_lines=(c.to_start, c.to_end),
                        removed=c.removed,
                        added=c.added,
                    )
                    for c in diff.changes
                ],
                lines_added=diff.lines_added,
                lines_removed=diff.lines_removed,
            )
        return cls(
            document_id=diff.document_id,
            from_version=diff.from_version.number,
            to_version=diff.to_version.number,
            text=text,
            fields=[FieldChangeOut(field=f.field, before=f.before, after=f.after) for f in diff.fields],
            credits=ListDiffOut(added=diff.credits_added, removed=diff.credits_removed),
            update_notices=ListDiffOut(added=diff.notices_added, removed=diff.notices_removed),
        )


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
