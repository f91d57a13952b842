"""What a photo says about itself: EXIF, IPTC-IIM and XMP (read by exiftool), reconciled.

The Metadata Working Group's reconciliation (exiftool's `-use MWG` composites) is the default choice. It
loses to a complete value when its own is a placeholder (`Photographer`, `CREDIT`, camera boilerplate), a
value cut at IPTC-IIM's length limit, or mis-decoded text; a longer list of creators that contains its
list wins too. IPTC text stored as UTF-8 without saying so (no CodedCharacterSet) is decoded again.
Creators become `photographer` credits; the credit line and the agency or source `photo_credit`
organisations; the copyright notice `rights`, the caption `description`, the title `title` and when the
photo was taken `date_created`. Each value names the field it came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.domain.credits import CreditRole
from archive.extract.exiftool import ExiftoolMissing, Tags, read_tags
from archive.extract.model import Extraction, Found, FoundCredit
from archive.extract.pdf_dates import parse_xmp_date
from archive.extract.placeholders import is_mangled, is_placeholder
from archive.extract.text_names import agent_kind
from archive.names import normalize_name

# IPTC-IIM's length limits in bytes: a value that long may have been cut where XMP kept it whole.
IIM_LIMITS = {
    "IPTC:By-line": 32,
    "IPTC:Credit": 32,
    "IPTC:Source": 32,
    "IPTC:ObjectName": 64,
    "IPTC:CopyrightNotice": 128,
    "IPTC:Caption-Abstract": 2000,
}
CREATORS = ("MWG:Creator", "IFD0:Artist", "IPTC:By-line", "XMP-dc:Creator", "XMP-plus:ImageCreator")
RIGHTS = ("MWG:Copyright", "IFD0:Copyright", "IPTC:CopyrightNotice", "XMP-dc:Rights")
DESCRIPTION = ("MWG:Description", "IFD0:ImageDescription", "IPTC:Caption-Abstract", "XMP-dc:Description")
TITLE = ("XMP-dc:Title", "IPTC:ObjectName")
CREDIT_LINE = ("XMP-photoshop:Credit", "IPTC:Credit")
SOURCE = ("XMP-photoshop:Source", "IPTC:Source")
CREATED = (
    "MWG:DateTimeOriginal",
    "ExifIFD:DateTimeOriginal",
    "Composite:DateTimeCreated",
    "IPTC:DateCreated",
    "XMP-photoshop:DateCreated",
    "XMP-exif:DateTimeOriginal",
    "XMP-xmp:CreateDate",
)
_ORIGINAL = ("MWG:DateTimeOriginal", "ExifIFD:DateTimeOriginal")
_EXIFTOOL_DAY = re.compile(r"^(\d{4}):(\d{2}):(\d{2})(?: (\S+))?$")
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")


@dataclass(frozen=True)
class Chosen:
    value: str
    field: str


def extract_image(path: Path) -> Extraction:
    try:
        tags = read_tags(path)
    except (ExiftoolMissing, RuntimeError, OSError) as exc:
        return Extraction(problems=[str(exc)])
    return reconcile(tags)


def reconcile(tags: Tags) -> Extraction:
    """An `Extraction` of a photo from its tags as exiftool names them."""
    extraction = Extraction()
    creators = choose_list(tags, CREATORS)
    extraction.credits = [
        *(_credit(c.value, "photographer", "image.creator", c.field) for c in creators),
        *(_credit(c.value, "photo_credit", rule, c.field) for rule, c in _credit_lines(tags)),
    ]
    _keep_losers(extraction, "photographer", "image.creator", creators, _candidates(tags, CREATORS, all))
    for name, fields in (("rights", RIGHTS), ("description", DESCRIPTION), ("title", TITLE)):
        chosen = choose_text(tags, fields)
        if chosen is not None:
            setattr(extraction, name, Found(chosen.value, f"image.{name}", field=chosen.field))
            _keep_losers(extraction, name, f"image.{name}", [chosen], _candidates(tags, fields))
    created = choose_date(tags, CREATED)
    if created is not None:
        extraction.date_created = Found(created.value, "image.created", field=created.field)
        dates = [
            Chosen(iso, name)
            for name in CREATED
            if not name.startswith(("MWG:", "Composite:"))
            and (iso := parse_exiftool_date(str(tags.get(name, ""))))
            and not same_moment(iso, created.value)
        ]
        _keep_losers(extraction, "date_created", "image.created", [created], dates)
    return extraction


def _candidates(tags: Tags, fields: Sequence[str], take: object = None) -> list[Chosen]:
    """Every field's first value (each of its values with `take=all`), composites left out: the stored
    values a reconciliation chose among."""
    return [
        Chosen(value, name)
        for name in fields
        if not name.startswith(("MWG:", "Composite:"))
        for value in (_texts(tags, name) if take is all else _texts(tags, name)[:1])
    ]


def _keep_losers(
    extraction: Extraction, name: str, rule: str, chosen: Sequence[Chosen], candidates: Sequence[Chosen]
) -> None:
    """The values other fields hold that lost to the chosen ones (a value cut where a chosen one is whole
    is no disagreement), with the field each came from."""
    lost = [c for c in candidates if not any(_completes(c, kept) for kept in chosen)]
    extraction.keep_alternatives(
        name, (c.value for c in chosen), (Found(c.value, rule, field=c.field) for c in lost)
    )


def _credit_lines(tags: Tags) -> list[tuple[str, Chosen]]:
    found: list[tuple[str, Chosen]] = []
    for rule, fields in (("image.credit_line", CREDIT_LINE), ("image.source", SOURCE)):
        chosen = choose_text(tags, fields)
        if chosen is not None and all(
            normalize_name(chosen.value) != normalize_name(c.value) for _, c in found
        ):
            found.append((rule, chosen))
    return found


def _credit(stored: str, role: CreditRole, rule: str, field: str) -> FoundCredit:
    name = " ".join(_CONTROL.sub(" ", stored).split())  # a control character is no part of a name
    kind = "organization" if role == "photo_credit" else (agent_kind(name) or "person")
    return FoundCredit(name, role, kind, rule, field=field)


def choose_text(tags: Tags, fields: Sequence[str]) -> Chosen | None:
    """The first field's value that is a value, unless another field holds it whole (cut, mis-decoded)."""
    candidates = [Chosen(value, name) for name in fields for value in _texts(tags, name)[:1]]
    if not candidates:
        return None
    chosen = _with_source(candidates[0], candidates)
    for other in candidates[1:]:
        if _completes(chosen, other) or (is_mangled(chosen.value) and not is_mangled(other.value)):
            chosen = other
    return chosen


def choose_list(tags: Tags, fields: Sequence[str]) -> list[Chosen]:
    """The first field's names that are names; a longer list containing them, or their uncut forms, win."""
    lists = [[Chosen(value, name) for value in _texts(tags, name)] for name in fields]
    lists = [names for names in lists if names]
    if not lists:
        return []
    chosen = lists[0]
    for other in lists[1:]:
        mine, theirs = {normalize_name(c.value) for c in chosen}, {normalize_name(c.value) for c in other}
        if mine < theirs:
            chosen = other
    completed = [next((o for names in lists for o in names if _completes(c, o)), c) for c in chosen]
    return [_with_source(c, [o for names in lists[1:] for o in names]) for c in completed]


def _completes(chosen: Chosen, other: Chosen) -> bool:
    """`other` is the whole of a value `chosen` holds cut at an IPTC-IIM limit: as long as its field's limit
    allows (up to three bytes short, where the cut fell inside a UTF-8 character)."""
    size = len(chosen.value.encode("utf-8"))
    limits = [IIM_LIMITS[chosen.field]] if chosen.field in IIM_LIMITS else sorted(set(IIM_LIMITS.values()))
    cut = any(limit - 3 <= size <= limit for limit in limits)
    return cut and len(other.value) > len(chosen.value) and other.value.startswith(chosen.value.rstrip())


def _with_source(chosen: Chosen, candidates: Sequence[Chosen]) -> Chosen:
    """A composite's value named by the stored field it agrees with (the composite only when none does)."""
    if not chosen.field.startswith("MWG:"):
        return chosen
    same = [c for c in candidates if not c.field.startswith("MWG:") and c.value == chosen.value]
    return same[0] if same else chosen


def _texts(tags: Tags, name: str) -> list[str]:
    """A tag's values as text (a list stays a list; a language alternative gives its default), without
    placeholders; IPTC text that was UTF-8 without saying so decoded again."""
    raw: Any = tags.get(name)
    values = raw if isinstance(raw, list) else [raw] if raw is not None else []
    texts: list[str] = []
    for value in values:
        text = str(value).strip() if not isinstance(value, dict) else ""  # kept as stored
        if name.startswith(("IPTC:", "MWG:")) and "IPTC:CodedCharacterSet" not in tags:
            text = _redecoded(text)
        if not is_placeholder(text):
            texts.append(text)
    return texts


def _redecoded(text: str) -> str:
    if not _MOJIBAKE.search(text):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def choose_date(tags: Tags, fields: Sequence[str]) -> Chosen | None:
    """When the photo was taken: the first field that holds a valid date, ISO 8601 with the offset the file
    states for that moment (EXIF's OffsetTimeOriginal, or the same time in XMP or IPTC with its zone, when
    those agree), and its time when the first gives a date alone."""
    found = [Chosen(iso, name) for name in fields if (iso := parse_exiftool_date(str(tags.get(name, ""))))]
    if not found:
        return None
    chosen = found[0]
    if "T" not in chosen.value:  # a date alone: the same day with its time, where another field has it
        chosen = next((c for c in found if c.value.startswith(chosen.value + "T")), chosen)
    if _lacks_offset(chosen.value):
        offset = tags.get("ExifIFD:OffsetTimeOriginal") if chosen.field in _ORIGINAL else None
        stated = {offset} if isinstance(offset, str) and _OFFSET.fullmatch(offset) else set()
        stated |= {c.value[19:] for c in found if c.value[:19] == chosen.value and not _lacks_offset(c.value)}
        if len(stated) == 1:
            chosen = Chosen(chosen.value + stated.pop(), chosen.field)
    field = "ExifIFD:DateTimeOriginal" if chosen.field == "MWG:DateTimeOriginal" else chosen.field
    return Chosen(chosen.value, field)


def same_moment(one: str, other: str) -> bool:
    """Whether two ISO 8601 dates can be one moment: the same day when either is a date alone, the same
    wall time when either has no offset, else the same instant."""
    if "T" not in one or "T" not in other:
        return one[:10] == other[:10]
    if _lacks_offset(one) or _lacks_offset(other):
        return one[:19] == other[:19]
    return datetime.fromisoformat(one) == datetime.fromisoformat(other)


def _lacks_offset(iso: str) -> bool:
    return "T" in iso and not iso.endswith("Z") and iso[-6] not in "+-"


def parse_exiftool_date(raw: str) -> str | None:
    """exiftool writes `2002:01:19 16:47:42`: read as the XMP date `2002-01-19T16:47:42` is, as strictly (a
    date alone stays a date; an impossible day or offset is None)."""
    match = _EXIFTOOL_DAY.match(raw.strip())
    if match is None:
        return None
    year, month, day, time = match.groups()
    return parse_xmp_date(f"{year}-{month}-{day}" + (f"T{time}" if time else ""))
