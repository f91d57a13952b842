"""The web interface's forms, read into the same values the API takes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from archive.domain.credits import ROLES
from archive.errors import InvalidMetadata
from archive.services.metadata import SuppliedMetadata, parse_metadata

UPLOAD_FIELDS = frozenset(
    {
        "csrf",
        "form_id",
        "document_id",
        "title",
        "source_url",
        "publisher",
        "published_at",
        "language",
        "credits",
        "note",
    }
)
_TEXT_FIELDS = ("title", "source_url", "publisher", "published_at", "language", "note")
_ORGANIZATION = "(organization)"


def url_encoded(body: bytes) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body: each field's first value."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidMetadata("the form is not UTF-8") from None
    return {name: values[0] for name, values in parse_qs(text, keep_blank_values=True).items()}


def field_text(fields: dict[str, bytes], name: str) -> str:
    try:
        return fields.get(name, b"").decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InvalidMetadata(f"the {name} field is not UTF-8") from None


def parse_credit_lines(text: str) -> list[dict[str, str]]:
    """Credits typed one per line as `role: Name`, with ` (organization)` after an organisation's name."""
    credits = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        role, colon, name = line.partition(":")
        role = role.strip().lower().replace(" ", "_")
        if not colon or role not in ROLES or not name.strip():
            raise InvalidMetadata(
                f"credit line {number} should read `role: Name`, the role one of {', '.join(ROLES)}",
                errors=[{"field": "credits", "message": f"line {number}: {line.strip()[:80]!r}"}],
            )
        name = name.strip()
        kind = "person"
        if name.lower().endswith(_ORGANIZATION):
            name, kind = name[: -len(_ORGANIZATION)].strip(), "organization"
        credits.append({"name": name, "role": role, "kind": kind})
    return credits


def upload_metadata(fields: dict[str, bytes], limit: int) -> SuppliedMetadata:
    """The upload form's fields as the metadata an API upload would carry (validated the same way)."""
    values: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        value = field_text(fields, name)
        if value:
            values[name] = value
    credits = parse_credit_lines(field_text(fields, "credits"))
    if credits:
        values["credits"] = credits
    return parse_metadata(json.dumps(values), limit)
