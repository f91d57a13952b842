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
    WithJsonSchema,
    field_validator,
)

from archive.domain.calendar import ISO_DATE
from archive.domain.credits import AgentKind, CreditRole
from archive.errors import InvalidMetadata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# An absolute http(s) URL or IRI: no white space, no control character, none of the characters no URI or IRI
# holds (RFC 3987: `<>"{}|\^` and the backquote), so that it can never end a link-format target early.
_URL = re.compile(r'^https?://[^\s/$.?#<>"{}|\\^`\x00-\x1f\x7f][^\s<>"{}|\\^`\x00-\x1f\x7f]*$', re.IGNORECASE)
_ORCID = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
_ISNI = re.compile(r"^[0-9]{15}[0-9X]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_CREDITS = 200
MAX_PHOTOS = 100

# The same rules as JSON Schema patterns (ECMA-262), for the OpenAPI document: a value matches exactly when
# the validators here accept it, so clients and fuzzers know what is accepted. `_C` are the characters
# `_CONTROL` refuses, `_W` the white space `str.strip` removes that `_C` does not refuse already, `_P` both.
# (A lone surrogate, which the JSON parser refuses before any of this, is left out: regex engines that read
# code points cannot name one in a class.)
_C = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
_W = r"\t\n \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_P = _C + _W
LINE_PATTERN = rf"^[{_W}]*[^{_P}](?:[^{_C}\t\n]*[^{_P}])?[{_W}]*$"
PARAGRAPH_PATTERN = rf"^[^{_C}]*[^{_P}][^{_C}]*$"
URL_PATTERN = rf'^[hH][tT][tT][pP][sS]?://[^{_P}/$.?#<>"{{}}|\\^`][^{_P}<>"{{}}|\\^`]*$'
LANGUAGE_PATTERN = rf"^[{_W}]*[A-Za-z]{{2,3}}(?:-[A-Za-z0-9]{{1,8}})*[{_W}]*$"
EMAIL_PATTERN = rf"^[^@{_P}]{{1,64}}@[^@{_P}]+\.[^@{_P}]+$"
DATE_PATTERN = rf"^{ISO_DATE}$"
# What pydantic reads as a date-time: `T`, `t`, a space or `_` between day and time, seconds optional, any
# fraction of a second, and an offset (`Z`, `z`, `+hh:mm` or `+hhmm`), which the archive requires.
DATE_TIME_PATTERN = (
    rf"^{ISO_DATE}[Tt _](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])$"
)


def _clean_text(value: str) -> str:
    """Refuse control characters (tabs and newlines aside), normalise to NFC, trim."""
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _date_as_midnight_utc(value: object) -> object:
    """A plain `YYYY-MM-DD` date is taken as midnight UTC of that day. A number is refused (pydantic would
    read it as seconds since 1970): a date is written as a date."""
    if isinstance(value, str) and _DATE.match(value):
        return datetime.combine(date.fromisoformat(value), time(0), tzinfo=UTC)
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time with an offset, or a plain date, as a string")
    return value


# What `published_at` takes: a date-time with an offset, or a plain date (midnight UTC).
_WHEN = {
    "anyOf": [
        {
            "type": "string",
            "pattern": DATE_TIME_PATTERN,
            "description": "An ISO 8601 date-time with an offset.",
        },
        {"type": "string", "pattern": DATE_PATTERN, "description": "A date: midnight UTC of that day."},
    ]
}


def _single_line(value: str) -> str:
    value = _clean_text(value)
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("must be a single line")
    return value


def _http_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(
            'must be an absolute http:// or https:// URL, without spaces or any of < > " { } | \\ ^ `'
        )
    return value


# Each text field's limit is on the value as sent (as the schema's maxLength says), checked before it is
# trimmed and normalised: the limit's Field comes first in each, so it binds the raw string.
_LINE = (AfterValidator(_single_line), Field(json_schema_extra={"pattern": LINE_PATTERN}))
_PARAGRAPH = (AfterValidator(_clean_text), Field(json_schema_extra={"pattern": PARAGRAPH_PATTERN}))
Name = Annotated[str, Field(max_length=300), *_LINE]
Line500 = Annotated[str, Field(max_length=500), *_LINE]
Line1000 = Annotated[str, Field(max_length=1000), *_LINE]
Paragraph = Annotated[str, Field(max_length=4000), *_PARAGRAPH]
Url = Annotated[
    str,
    Field(max_length=2048),
    *_LINE,
    Field(json_schema_extra={"pattern": URL_PATTERN}),
    AfterValidator(_http_url),
]
Language = Annotated[
    str, Field(max_length=35), *_LINE, Field(json_schema_extra={"pattern": LANGUAGE_PATTERN})
]
Email = Annotated[
    str,
    Field(max_length=320, pattern=_EMAIL.pattern),
    *_LINE,
    Field(json_schema_extra={"pattern": EMAIL_PATTERN}),
]


class SuppliedIdentifiers(BaseModel):
    """Identifiers of a person or organisation (all optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    orcid: Annotated[str, Field(pattern=_ORCID.pattern)] | None = None
    isni: Annotated[str, Field(pattern=_ISNI.pattern)] | None = None
    url: Url | None = None
    email: Email | None = None


class SuppliedCredit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    role: CreditRole
    kind: AgentKind = "person"
    identifiers: SuppliedIdentifiers = SuppliedIdentifiers()


class SuppliedPhoto(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    caption: Paragraph | None = None
    credit: Line500 | None = None
    credits: Annotated[list[SuppliedCredit], Field(max_length=20)] = []


class SuppliedMetadata(BaseModel):
    """The `metadata` part of an upload. Unknown fields are refused, so a typo is an error, not lost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_url: Url | None = None
    title: Line1000 | None = None
    subtitle: Paragraph | None = None
    publisher: Line500 | None = None
    language: Language | None = None
    published_at: (
        Annotated[datetime, BeforeValidator(_date_as_midnight_utc), WithJsonSchema(_WHEN)] | None
    ) = None
    note: Paragraph | None = None
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
