"""A version as the wire gives it, with its credits, photos, notices and the evidence of each; a document
with its latest version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from archive.db.models import Credit, Notice, Photo, Version
from archive.domain.content_credentials import plain_state
from archive.domain.credits import ROLES
from archive.services.access import Withheld
from archive.services.documents import DocumentView


def version_path(document_id: str, number: int) -> str:
    """Where a version is served: the one place its URL is spelled."""
    return f"/v1/documents/{document_id}/versions/{number}"


class Evidence(BaseModel):
    """Where a value came from: the rule or field that found it, and its span in the version's text
    (`[start, end)`, character offsets into `GET …/versions/{n}/text`)."""

    rule: str | None
    span: tuple[int, int] | None
    field: str | None = Field(
        default=None, description="The embedded metadata field it was read from, e.g. `XMP-dc:Creator`."
    )


def _evidence(
    rule: str | None, start: int | None, end: int | None, field: str | None = None
) -> Evidence | None:
    if rule is None and start is None:
        return None
    span = (start, end) if start is not None and end is not None else None
    return Evidence(rule=rule, span=span, field=field)


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
            evidence=_evidence(credit.rule, credit.span_start, credit.span_end, credit.field),
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


class ContentCredentialsOut(BaseModel):
    """The file's C2PA manifest, as c2pa-python validates it (remote manifests are never fetched)."""

    present: bool
    valid: bool | None = Field(description="Whether the manifest validates; null when it was not read.")
    validation_state: str | None = None
    failures: list[str] = Field(
        default_factory=list, description="Failure codes, the untrusted signer aside."
    )
    untrusted_signer: bool = Field(
        default=False, description="No trust list names the signer (none is configured by default)."
    )
    claim_generator: str | None = None
    signer: dict[str, str] | None = None
    authors: list[str] = Field(default_factory=list)
    remote: str | None = Field(default=None, description="Where a remote manifest lives; it is not fetched.")
    identities: list[dict[str, str]] = Field(
        default_factory=list,
        description="CAWG identity assertions: each one's signature type, its certificate's subject "
        "(common_name) and issuer, and the verified identities an identity aggregator vouches for.",
    )
    digital_source_types: list[str] = Field(
        default_factory=list, description="How the content came to be (IPTC digital source types)."
    )
    state: str = Field(
        default="",
        description="Plainly: valid, valid, untrusted signer, tampered, invalid or remote (not fetched).",
    )

    @model_validator(mode="after")
    def _stated(self) -> ContentCredentialsOut:
        if not self.state:
            self.state = plain_state(self.valid, self.failures, self.untrusted_signer)
        return self


class WithheldOut(BaseModel):
    state: Literal["withdrawn", "purged"]
    reason: str
    since: datetime
    log_index: int = Field(description="The leaf of the withdrawal or the purge.")

    @classmethod
    def of(cls, withheld: Withheld) -> WithheldOut:
        if withheld.purge is not None:
            p = withheld.purge
            return cls(state="purged", reason=p.reason, since=p.purged_at, log_index=p.log_index)
        w = withheld.withdrawal
        assert w is not None
        return cls(state="withdrawn", reason=w.reason, since=w.withdrawn_at, log_index=w.log_index)


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
    rights: str | None = Field(default=None, description="The copyright notice, as the file stores it.")
    description: str | None = Field(default=None, description="A caption or abstract the file carries.")
    content_credentials: ContentCredentialsOut | None = None
    date_created: str | None = Field(
        default=None,
        description="When the file was made (schema.org dateCreated), ISO 8601 as the file states it: "
        "with an offset only when it gives one, a date alone when it gives no time.",
    )
    credits: list[CreditOut]
    photos: list[PhotoOut]
    update_notices: list[UpdateNoticeOut]
    field_evidence: dict[str, Any]
    alternatives: Alternatives
    extraction_problems: list[str]
    extracted_by: str | None = Field(
        default=None,
        description="Which extractor read the bytes (rules revision and weights); null when not recorded.",
    )
    note: str | None
    log_index: int | None = None
    withheld: WithheldOut | None = Field(
        default=None,
        description="Why the version's bytes are not served (below admin when withdrawn; to anyone when "
        "purged); null when they are. Set where a route tells it (the document, its versions, one version).",
    )
    content_url: str
    text_url: str | None
    preview_url: str | None = Field(
        default=None,
        description="A small JPEG of a photo or of a PDF's first page, made by the archive (a derived blob, "
        "never the archived bytes).",
    )

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
            rights=version.rights,
            description=version.description,
            date_created=version.date_created,
            content_credentials=(
                ContentCredentialsOut.model_validate(version.content_credentials)
                if version.content_credentials is not None
                else None
            ),
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
            extracted_by=version.extracted_by,
            note=version.note,
            log_index=version.log_index,
            content_url=f"{base}/content",
            text_url=f"{base}/text" if version.has_text else None,
            preview_url=f"{base}/preview" if version.preview_blake3 is not None else None,
        )


def render_version(version: Version) -> dict[str, Any]:
    """A version as the API answers with it: what an idempotent upload remembers and replays."""
    return VersionOut.of(version).model_dump(mode="json")


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
