"""What an archivist may supply with an upload, validated before anything is stored."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from archive.domain.credits import AgentKind, CreditRole
from archive.errors import InvalidMetadata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# An absolute http(s) URL or IRI: no white space, no control character, none of the characters no URI or IRI
# holds (RFC 3987: `<>"{}|\^` and the backquote), so that it can never end a link-format target early.
_URL = re.compile(r'^https?://[^\s/$.?#<>"{}|\\^`\x00-\x1f\x7f][^\s<>"{}|\\^`\x00-\x1f\x7f]*$', re.IGNORECASE)
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ISNI = re.compile(r"^\d{15}[\dX]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_CREDITS = 200
MAX_PHOTOS = 100


def _clean_text(value: str) -> str:
    """Refuse control characters (tabs and newlines aside), normalise to NFC, trim."""
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _date_as_midnight_utc(value: object) -> object:
    """A plain `YYYY-MM-DD` date is taken as midnight UTC of that day."""
    if isinstance(value, str) and _DATE.match(value):
        return datetime.combine(date.fromisoformat(value), time(0), tzinfo=UTC)
    return value


def _single_line(value: str) -> str:
    value = _clean_text(value)
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("must be a single line")
    return value


Line = Annotated[str, AfterValidator(_single_line)]
Paragraph = Annotated[str, AfterValidator(_clean_text)]


def _http_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(
            'must be an absolute http:// or https:// URL, without spaces or any of < > " { } | \\ ^ `'
        )
    return value


Url = Annotated[Line, Field(max_length=2048), AfterValidator(_http_url)]
Name = Annotated[Line, Field(max_length=300)]


class SuppliedIdentifiers(BaseModel):
    """Identifiers of a person or organisation (all optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    orcid: Annotated[str, Field(pattern=_ORCID.pattern)] | None = None
    isni: Annotated[str, Field(pattern=_ISNI.pattern)] | None = None
    url: Url | None = None
    email: Annotated[Line, Field(max_length=320, pattern=_EMAIL.pattern)] | None = None


class SuppliedCredit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    role: CreditRole
    kind: AgentKind = "person"
    identifiers: SuppliedIdentifiers = SuppliedIdentifiers()


class SuppliedPhoto(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    caption: Annotated[Paragraph, Field(max_length=4000)] | None = None
    credit: Annotated[Line, Field(max_length=500)] | None = None
    credits: Annotated[list[SuppliedCredit], Field(max_length=20)] = []


class SuppliedMetadata(BaseModel):
    """The `metadata` part of an upload. Unknown fields are refused, so a typo is an error, not lost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_url: Url | None = None
    title: Annotated[Line, Field(max_length=1000)] | None = None
    subtitle: Annotated[Paragraph, Field(max_length=4000)] | None = None
    publisher: Annotated[Line, Field(max_length=500)] | None = None
    language: Annotated[Line, Field(max_length=35)] | None = None
    published_at: Annotated[datetime, BeforeValidator(_date_as_midnight_utc)] | None = None
    note: Annotated[Paragraph, Field(max_length=4000)] | None = None
    credits: Annotated[list[SuppliedCredit], Field(max_length=MAX_CREDITS)] = []
    photos: Annotated[list[SuppliedPhoto], Field(max_length=MAX_PHOTOS)] = []

    def snapshot(self) -> dict[str, object]:
        """The supplied values as JSON, without the ones left out: what is stored with the version and
        compared to tell whether an upload repeats the latest version."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.match(value):
            raise ValueError("must be a BCP 47 language tag such as en or en-GB")
        return value

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("a date-time needs a timezone offset (or give a plain date)")
        return value


def parse_metadata(raw: bytes | str | None, limit: int) -> SuppliedMetadata:
    """Parse the JSON `metadata` part; every problem becomes one `InvalidMetadata` listing each field."""
    if raw is None or (isinstance(raw, bytes | str) and not raw.strip()):
        return SuppliedMetadata()
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > limit:
        raise InvalidMetadata(f"metadata is {size} bytes; the limit is {limit}")
    try:
        return SuppliedMetadata.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidMetadata.from_field_errors(
            "metadata", exc.errors(include_url=False), "metadata"
        ) from None
