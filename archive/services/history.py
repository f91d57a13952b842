"""A document's history: what changed between two versions, and which version stood at a moment."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.db.models import Document, Version
from archive.errors import DocumentNotFound, VersionNotFound
from archive.names import normalize_name
from archive.services.attribution import DESCRIPTIVE_FIELDS
from archive.services.documents import get_version
from archive.services.unit_of_work import UnitOfWork

COMPARED_FIELDS = (*DESCRIPTIVE_FIELDS, "source_url", "media_type")


@dataclass(frozen=True)
class LineChange:
    """One run of changed lines, numbered from 1 as `diff` numbers them (empty ranges at the insertion
    point: `from_start` is the line after which lines were added)."""

    kind: str  # "replace", "insert" or "delete"
    from_start: int
    from_end: int
    to_start: int
    to_end: int
    removed: list[str]
    added: list[str]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass
class VersionDiff:
    document_id: str
    from_version: Version
    to_version: Version
    unified: str | None
    changes: list[LineChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    credits_added: list[dict[str, str]] = field(default_factory=list)
    credits_removed: list[dict[str, str]] = field(default_factory=list)
    notices_added: list[str] = field(default_factory=list)
    notices_removed: list[str] = field(default_factory=list)

    @property
    def lines_added(self) -> int:
        return sum(len(change.added) for change in self.changes)

    @property
    def lines_removed(self) -> int:
        return sum(len(change.removed) for change in self.changes)


def line_changes(before: Sequence[str], after: Sequence[str]) -> list[LineChange]:
    matcher = difflib.SequenceMatcher(
        a=before, b=after
    )  # autojunk: lines as common as blank ones are not anchors, which keeps long texts from taking minutes
    return [
        LineChange(
            kind=tag,
            from_start=first + 1 if first < last else first,
            from_end=last,
            to_start=start + 1 if start < end else start,
            to_end=end,
            removed=list(before[first:last]),
            added=list(after[start:end]),
        )
        for tag, first, last, start, end in matcher.get_opcodes()
        if tag != "equal"
    ]


def _credit_keys(version: Version) -> dict[tuple[str, str], dict[str, str]]:
    return {
        (normalize_name(credit.name), credit.role): {"name": credit.name, "role": credit.role}
        for credit in version.credits
        if credit.accepted
    }


def diff_versions(uow: UnitOfWork, document_id: str, first: int, second: int) -> VersionDiff:
    """What changed from version `first` to version `second` of a document."""
    before = get_version(uow, document_id, first)
    after = get_version(uow, document_id, second)
    old_text, new_text = uow.documents.version_text(before.id), uow.documents.version_text(after.id)
    result = VersionDiff(document_id=document_id, from_version=before, to_version=after, unified=None)
    if old_text is not None and new_text is not None:
        old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
        result.unified = "\n".join(
            difflib.unified_diff(
                old_lines,
                new_lines,
                fromfile=f"{document_id}/versions/{first}",
                tofile=f"{document_id}/versions/{second}",
                lineterm="",
            )
        )
        result.changes = line_changes(old_lines, new_lines)
    if before.blob_blake3 != after.blob_blake3:
        result.fields.append(FieldChange("blake3", before.blob_blake3, after.blob_blake3))
    for name in COMPARED_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            result.fields.append(FieldChange(name, _plain(old), _plain(new)))
    old_credits, new_credits = _credit_keys(before), _credit_keys(after)
    result.credits_added = [new_credits[key] for key in new_credits if key not in old_credits]
    result.credits_removed = [old_credits[key] for key in old_credits if key not in new_credits]
    old_notices = [notice.text for notice in before.notices]
    new_notices = [notice.text for notice in after.notices]
    result.notices_added = [text for text in new_notices if text not in old_notices]
    result.notices_removed = [text for text in old_notices if text not in new_notices]
    return result


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


# Memento (RFC 7089): a document's versions as mementos of its original URL.


@dataclass(frozen=True)
class Memento:
    number: int
    archived_at: datetime


@dataclass(frozen=True)
class TimeMap:
    document: Document
    mementos: list[Memento]


def _document(uow: UnitOfWork, document_id: str | None, original: str | None) -> Document:
    if document_id is not None:
        document = uow.documents.get(document_id)
    else:
        assert original is not None
        document = uow.documents.by_source_url(original)
    if document is None:
        raise DocumentNotFound(document_id or original or "")
    return document


def time_map(uow: UnitOfWork, *, document_id: str | None = None, original: str | None = None) -> TimeMap:
    """Every version of a document (by id, or by its original URL), oldest first."""
    document = _document(uow, document_id, original)
    times = uow.documents.version_times(document.id)
    return TimeMap(document, [Memento(number, archived_at) for number, archived_at in times])


def version_at(
    uow: UnitOfWork,
    when: datetime | None,
    *,
    document_id: str | None = None,
    original: str | None = None,
) -> tuple[TimeMap, Memento]:
    """The version that stood at `when`: the last archived at or before it (the first, when `when` is
    earlier than every version; the latest, when `when` is None)."""
    return timemap_and_memento(time_map(uow, document_id=document_id, original=original), when)


def timemap_and_memento(timemap: TimeMap, when: datetime | None) -> tuple[TimeMap, Memento]:
    """The memento of `timemap` that stood at `when` (see `version_at`)."""
    if not timemap.mementos:
        raise VersionNotFound(timemap.document.id, 1)
    if when is None:
        return timemap, timemap.mementos[-1]
    standing = [m for m in timemap.mementos if m.archived_at <= when]
    return timemap, standing[-1] if standing else timemap.mementos[0]
