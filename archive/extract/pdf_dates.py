"""PDF dates (`D:YYYYMMDDHHmmSSOHH'mm'`, ISO 32000-1 §7.9.4) and XMP dates, read strictly.

A date is kept only when every part present is valid: year 0000, month 00, a corrupted digit or trailing
garbage is no date (None), never a guess. The result is ISO 8601 as the file states it: with its offset
only when the file gives one (`Z` kept as `Z`), to the second, and a date alone when no time is given.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_PDF_DATE = re.compile(
    r"^(?:D:)?(?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?(?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?"
    r"(?P<zone>Z(?:00'?(?:00'?)?)?|[+-]\d{2}(?:'?\d{2}'?)?)?$"
)
_XMP_DATE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def parse_pdf_date(raw: str | None) -> str | None:
    """`D:20090401163925-07'00'` -> `2009-04-01T16:39:25-07:00`; None for anything that is not a date."""
    match = _PDF_DATE.match((raw or "").strip())
    return _iso(match.groupdict()) if match else None


def parse_xmp_date(raw: str | None) -> str | None:
    """`2015-08-02T12:22:19+00:00` (XMP, a profile of ISO 8601) as the same ISO 8601, to the second."""
    match = _XMP_DATE.match((raw or "").strip())
    return _iso(match.groupdict()) if match else None


def as_datetime(iso: str | None) -> datetime | None:
    """An ISO value of this module as an aware datetime (midnight UTC for a date alone; a time without an
    offset read as UTC), for fields such as `modified_at` that hold an instant."""
    if iso is None:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(parts: dict[str, str | None]) -> str | None:
    year, month, day = parts["year"], parts["month"] or "01", parts["day"] or "01"
    hour, minute, second = parts["hour"], parts["minute"], parts["second"]
    try:
        datetime(int(year or "0"), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:  # year 0000, month 13, day 32, hour 24 …
        return None
    if parts["month"] is None or parts["day"] is None:
        return None  # a year or a month alone says too little to be a day
    date = f"{year}-{month}-{day}"
    if hour is None:
        return date
    zone = _zone(parts["zone"])
    return None if zone is None else f"{date}T{hour}:{minute or '00'}:{second or '00'}{zone}"


def _zone(zone: str | None) -> str | None:
    """The offset as ISO writes it; None for one no clock has (over 14 hours, or 60 minutes or more)."""
    if not zone:
        return ""
    if zone.startswith("Z"):
        return "Z"
    digits = zone.replace("'", "").replace(":", "")
    hours, minutes = digits[1:3], digits[3:5] or "00"
    if int(hours) > 14 or int(minutes) > 59:
        return None
    return f"{digits[0]}{hours}:{minutes}"
