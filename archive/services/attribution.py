"""Merging what the archivist supplied with what extraction found, and recording it on a version.

Supplied values win. Per descriptive field, a disagreeing extracted value is kept under `alternatives` with
its evidence. Credits are merged per role: when the archivist supplied credits for a role, those are the
role's credits, an extracted credit that names the same agent lends them its evidence, and the others are
kept as not accepted; roles the archivist left out take the extracted credits. Supplied photos replace the
extracted ones, which are kept as not accepted. Notices are only ever extracted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.db.models import Credit, Notice, Photo, Version
from archive.db.repositories.base import set_loaded
from archive.extract.model import Extraction, FoundCredit, FoundPhoto, Span
from archive.names import normalize_name
from archive.services.metadata import SuppliedCredit, SuppliedMetadata
from archive.services.unit_of_work import UnitOfWork

DESCRIPTIVE_FIELDS = (
    "title",
    "subtitle",
    "publisher",
    "language",
    "published_at",
    "modified_at",
    "rights",
    "description",
    "date_created",
)


@dataclass
class CreditDraft:
    name: str
    kind: str
    role: str
    source: str
    rule: str | None = None
    span: Span | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    accepted: bool = True
    field: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return normalize_name(self.name), self.role


@dataclass
class PhotoDraft:
    caption: str | None
    credit_line: str | None
    source: str
    credits: list[CreditDraft]
    rule: str | None = None
    span: Span | None = None
    accepted: bool = True


@dataclass
class Merged:
    fields: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    alternatives: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    credits: list[CreditDraft] = field(default_factory=list)
    photos: list[PhotoDraft] = field(default_factory=list)


def _evidence(rule: str | None, span: Span | None, field: str | None = None) -> dict[str, Any]:
    found = {"rule": rule, "span": [span.start, span.end] if span else None}
    return found | {"field": field} if field is not None else found


def _same(left: object, right: object) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left == right
    return left == right


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def merge_fields(supplied: SuppliedMetadata, extraction: Extraction, merged: Merged) -> None:
    for name in DESCRIPTIVE_FIELDS:
        given = getattr(supplied, name, None)
        found = getattr(extraction, name)
        if given is not None:
            merged.fields[name] = given
            merged.evidence[name] = {"source": "supplied"}
            if found is not None and not _same(given, found.value):
                merged.alternatives.setdefault(name, []).append(
                    {"value": _json_value(found.value), "source": "extracted"}
                    | _evidence(found.rule, found.span, found.field)
                )
        elif found is not None:
            merged.fields[name] = found.value
            merged.evidence[name] = {"source": "extracted"} | _evidence(found.rule, found.span, found.field)
    for name, losers in extraction.alternatives.items():
        merged.alternatives.setdefault(name, []).extend(
            {"value": _json_value(lost.value), "source": "extracted"}
            | _evidence(lost.rule, lost.span, lost.field)
            for lost in losers
        )


def _supplied_credit(credit: SuppliedCredit) -> CreditDraft:
    identifiers = credit.identifiers.model_dump(exclude_none=True)
    return CreditDraft(credit.name, credit.kind, credit.role, "supplied", identifiers=identifiers)


def _extracted_credit(credit: FoundCredit) -> CreditDraft:
    return CreditDraft(
        credit.name,
        credit.kind,
        credit.role,
        "extracted",
        rule=credit.rule,
        span=credit.span,
        identifiers=dict(credit.identifiers),
        field=credit.field,
    )


def merge_credits(
    supplied: list[SuppliedCredit], found: list[FoundCredit], photo_keys: set[tuple[str, str]]
) -> list[CreditDraft]:
    """The document-level credits. `photo_keys` are credits already recorded with a photo."""
    drafts = [_supplied_credit(credit) for credit in supplied]
    supplied_roles = {draft.role for draft in drafts}
    by_key = {draft.key: draft for draft in drafts}
    for credit in found:
        draft = _extracted_credit(credit)
        if draft.key in by_key:
            confirmed = by_key[draft.key]
            if confirmed.source == "supplied" and confirmed.rule is None:
                confirmed.rule, confirmed.span = draft.rule, draft.span  # the text agrees
            continue
        if draft.key in photo_keys:
            continue
        draft.accepted = draft.role not in supplied_roles
        by_key[draft.key] = draft
        drafts.append(draft)
    return drafts


def merge_photos(supplied: SuppliedMetadata, found: list[FoundPhoto]) -> list[PhotoDraft]:
    photos = [
        PhotoDraft(
            photo.caption,
            photo.credit,
            "supplied",
            [_supplied_credit(credit) for credit in photo.credits],
        )
        for photo in supplied.photos
    ]
    replaced = bool(photos)
    for photo in found:
        credits = [_extracted_credit(credit) for credit in photo.credits]
        for credit in credits:
            credit.accepted = not replaced
        photos.append(
            PhotoDraft(
                photo.caption,
                photo.credit,
                "extracted",
                credits,
                rule=photo.rule,
                span=photo.span,
                accepted=not replaced,
            )
        )
    return photos


MAX_EXTRACTED_CREDITS = 200  # as many as an archivist may supply
MAX_NAME_LENGTH = 300  # an agent's name column; a longer "name" is no name


def merge(supplied: SuppliedMetadata, extraction: Extraction) -> Merged:
    """Supplied over extracted. Extracted credits are bounded as supplied ones are: a name over 300
    characters is no name, and past the first 200 credits the rest are dropped (each noted as a problem)."""
    named = [credit for credit in extraction.credits if len(credit.name) <= MAX_NAME_LENGTH]
    if len(named) < len(extraction.credits):
        extraction.problems.append(
            f"{len(extraction.credits) - len(named)} credit(s) over 300 characters dropped"
        )
    if len(named) > MAX_EXTRACTED_CREDITS:
        extraction.problems.append(
            f"{len(named) - MAX_EXTRACTED_CREDITS} credit(s) past the first 200 dropped"
        )
    extraction.credits = named[:MAX_EXTRACTED_CREDITS]
    merged = Merged()
    merge_fields(supplied, extraction, merged)
    merged.photos = merge_photos(supplied, extraction.photos)
    photo_keys = {credit.key for photo in merged.photos if photo.accepted for credit in photo.credits}
    merged.credits = merge_credits(supplied.credits, extraction.credits, photo_keys)
    return merged


def reads_the_same(version: Version, supplied: SuppliedMetadata, extraction: Extraction) -> bool:
    """Whether a version would describe its document as `version` does, were it archived with `supplied`
    and `extraction` now: the same fields, credits, photos, notices and Content Credentials."""
    merged = merge(supplied, copy.deepcopy(extraction))
    fields = {name: value for name in DESCRIPTIVE_FIELDS if (value := getattr(version, name)) is not None}
    document_credits = [credit for credit in version.credits if credit.photo_id is None]
    return (
        merged.fields == fields
        and [(d.name, d.role, d.source, d.accepted) for d in merged.credits]
        == [(c.name, c.role, c.source, c.accepted) for c in document_credits]
        and [(p.caption, p.credit_line, p.source, p.accepted) for p in merged.photos]
        == [(p.caption, p.credit_line, p.source, p.accepted) for p in version.photos]
        and [(n.kind, n.text) for n in extraction.notices] == [(n.kind, n.text) for n in version.notices]
        and extraction.content_credentials == version.content_credentials
    )


@dataclass(frozen=True)
class Attribution:
    """A described version's photos, credits (each with the photo it credits, if any) and notices, not yet
    written: `record_attribution` writes them after the version."""

    photos: list[Photo]
    credits: list[tuple[Credit, Photo | None]]
    notices: list[Notice]


def attribute(
    uow: UnitOfWork, version: Version, supplied: SuppliedMetadata, extraction: Extraction
) -> Attribution:
    """Describe a new version before it is written: its descriptive fields, evidence and text, and its
    photos, credits (each held with its agent, made if new) and notices, loaded on it as they will be
    stored, so that what is derived from them (the log's leaf) is made before any of it is written."""
    merged = merge(supplied, extraction)
    for name, value in merged.fields.items():
        setattr(version, name, value)
    version.field_evidence = merged.evidence
    version.text = extraction.text
    version.extraction_problems = list(extraction.problems)
    version.extracted_by = extraction.extractor
    version.alternatives = dict(merged.alternatives)
    version.content_credentials = extraction.content_credentials
    photos = [
        Photo(
            position=number,
            caption=draft.caption,
            credit_line=draft.credit_line,
            source=draft.source,
            accepted=draft.accepted,
            **_span_columns(draft.rule, draft.span),
        )
        for number, draft in enumerate(merged.photos)
    ]
    credits = _credits(uow, merged, photos)
    notices = [
        Notice(
            position=number,
            kind=notice.kind,
            text=notice.text,
            date=notice.date,
            **_span_columns(notice.rule, notice.span),
        )
        for number, notice in enumerate(extraction.notices)
    ]
    set_loaded(version, "photos", photos)
    set_loaded(version, "credits", [credit for credit, _ in credits])
    set_loaded(version, "notices", notices)
    for photo in photos:
        set_loaded(photo, "credits", [credit for credit, held in credits if held is photo])
    return Attribution(photos, credits, notices)


def record_attribution(uow: UnitOfWork, version: Version, attribution: Attribution) -> None:
    """Write a described version (one INSERT), then its photos, credits and notices (one each)."""
    uow.documents.add_version(version)
    for photo in attribution.photos:
        photo.version_id = version.id
    for notice in attribution.notices:
        notice.version_id = version.id
    uow.attribution.add_photos(attribution.photos)  # their ids are needed by their credits
    for credit, credited in attribution.credits:
        credit.version_id = version.id
        credit.photo_id = None if credited is None else credited.id
    uow.attribution.add_credits([credit for credit, _ in attribution.credits], attribution.notices)


def _credits(uow: UnitOfWork, merged: Merged, photos: list[Photo]) -> list[tuple[Credit, Photo | None]]:
    """The version's credits, its photos' first, each held with its agent (made if new)."""
    drafts: list[tuple[CreditDraft, Photo | None]] = [
        *(
            (credit, photo)
            for photo, draft in zip(photos, merged.photos, strict=True)
            for credit in draft.credits
        ),
        *((credit, None) for credit in merged.credits),
    ]
    agents = uow.attribution.agents_for([(draft.name, draft.kind, draft.identifiers) for draft, _ in drafts])
    return [
        (
            Credit(
                agent=agent,  # held by the credit, so that reading it back needs no query
                role=draft.role,
                position=position,
                name=draft.name,
                source=draft.source,
                accepted=draft.accepted,
                field=draft.field,
                **_span_columns(draft.rule, draft.span),
            ),
            photo,
        )
        for position, ((draft, photo), agent) in enumerate(zip(drafts, agents, strict=True))
    ]


def _span_columns(rule: str | None, span: Span | None) -> dict[str, Any]:
    return {
        "rule": rule,
        "span_start": span.start if span else None,
        "span_end": span.end if span else None,
    }
