"""Values embedded metadata carries that are not values: a field holding its own label, a tool's default,
camera boilerplate, a software artefact. They are never credited or shown as a title or a notice."""

from __future__ import annotations

import re

_LABELS = frozenset(
    {
        "author",
        "authors",
        "artist",
        "photographer",
        "credit",
        "caption",
        "title",
        "copyright",
        "creator",
        "byline",
        "by-line",
        "your name",
        "name",
        "unknown",
        "anonymous",
        "administrator",
        "admin",
        "user",
        "owner",
        "null",
        "none",
        "n/a",
        "untitled",
        "no title",
        "document",
        "olympus digital camera",
        "digital camera",
        "sony dsc",
        "kodak digital still camera",
        "author name",
        "first last",
        "firstname lastname",
        "your company",
        "company name",
        "windows user",
        "microsoft office user",
        "valued customer",
        "preferred customer",
        "powerpoint presentation",
        "slide 1",
        "default",
        "test",
    }
)
_ARTEFACT = re.compile(
    r"^(?:ARRAY|HASH|SCALAR)\(0x[0-9a-f]+\)$|^[\W_]*$|^User: |^Untitled\b|^Microsoft (?:Word|PowerPoint) - "
    r"|^(?:DSC|DSCN|DSCF|IMG|PICT|P)_?\d{3,}(?:\.\w+)?$|^Copyright,?$",
    re.IGNORECASE,
)


def is_placeholder(value: str | None) -> bool:
    """True for a value that stands for nothing: empty, punctuation, a label, a default, an artefact."""
    text = " ".join((value or "").split())
    return not text or text.casefold().rstrip(".:,") in _LABELS or _ARTEFACT.search(text) is not None


def is_mangled(value: str) -> bool:
    """A value a tool wrote with part of it lost: a glyph dropped between two words leaves a double
    space (`The  Team` for a typeset `The LaTeX Team`), or an undecodable byte a replacement character."""
    return "  " in value.strip() or "\ufffd" in value
