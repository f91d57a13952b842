"""What extraction finds in a document, each finding with its evidence.

Every finding names the `rule` that found it (a text rule such as `text.byline`, or a field such as
`jsonld.NewsArticle.author`) and, when it was read from the version's text, its `span`: character offsets
into `Extraction.text`, so that `text[span.start:span.end]` is exactly what was read (for a credit: the
name as printed). Nothing here touches a database or HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.domain.credits import AgentKind, CreditRole, NoticeKind
from archive.extract.preview import Preview
from archive.extract.revision import EXTRACTOR_VERSION
from archive.names import normalize_name


@dataclass(frozen=True)
class Span:
    """Character offsets into the version's text, `end` exclusive."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"not a span: {self.start}..{self.end}")


@dataclass(frozen=True)
class Found:
    """A descriptive value (title, subtitle, publisher, language, rights …) and where it came from: a rule
    and its span in the text, or the embedded metadata field it was read from (`field`, e.g. `PDF:Title`)."""

    value: str
    rule: str
    span: Span | None = None
    field: str | None = None


@dataclass(frozen=True)
class FoundDate:
    value: datetime  # timezone-aware; a date without a time is midnight UTC
    rule: str
    span: Span | None = None
    field: str | None = None


@dataclass(frozen=True)
class FoundCredit:
    name: str  # as printed (for a span: exactly the text at the span)
    role: CreditRole
    kind: AgentKind
    rule: str
    span: Span | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # url, email, orcid, isni
    field: str | None = None  # the embedded metadata field it was read from, e.g. `XMP-dc:Creator`


@dataclass(frozen=True)
class FoundPhoto:
    caption: str | None
    credit: str | None  # the credit line as printed, e.g. "AP Photo/Charles Rex Arbogast"
    credits: tuple[FoundCredit, ...]  # what the credit line names: photographer, photo_credit
    rule: str
    span: Span | None = None  # caption and credit line in the text, when read from it


@dataclass(frozen=True)
class FoundNotice:
    kind: NoticeKind
    text: str  # the notice as printed, e.g. "Updated: Feb. 11, 2025, 4:05 p.m. ET"
    date: datetime | None  # None when the page gives no date: never invented
    rule: str
    span: Span | None = None


@dataclass
class Extraction:
    """Everything read out of one version. `text` is the version's text (None for media without one)."""

    text: str | None = None
    title: Found | None = None
    subtitle: Found | None = None
    publisher: Found | None = None
    language: Found | None = None
    published_at: FoundDate | None = None
    modified_at: FoundDate | None = None
    rights: Found | None = None  # a copyright notice, as stored
    description: Found | None = None  # a caption or abstract
    date_created: Found | None = None  # ISO 8601 as the file states it (offset and time only if given)
    content_credentials: dict[str, Any] | None = None  # a C2PA manifest's state, as the wire gives it
    credits: list[FoundCredit] = field(default_factory=list)  # the document's, in byline order
    photos: list[FoundPhoto] = field(default_factory=list)
    notices: list[FoundNotice] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why something could not be read
    # Values the file also holds that lost to the chosen ones, per field (or credit role), with their field.
    alternatives: dict[str, list[Found]] = field(default_factory=dict)
    preview: Preview | None = None  # a small image of a photo or a PDF's first page, for the web interface
    extractor: str = EXTRACTOR_VERSION  # which rules and weights read it

    def keep_alternatives(self, name: str, chosen: Iterable[str], others: Iterable[Found]) -> None:
        """Values the file also holds that lost to the `chosen` ones, each once (compared normalised),
        with their fields: the version's `alternatives`, so that an archivist sees the disagreement."""
        seen = {normalize_name(value) for value in chosen}
        losers: list[Found] = []
        for other in others:
            key = normalize_name(other.value)
            if key and key not in seen:
                seen.add(key)
                losers.append(other)
        if losers:
            self.alternatives[name] = losers
