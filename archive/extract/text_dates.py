"""Dates as pages print them ("Feb. 11, 2025, 4:05 p.m. ET", "15:57 BST, 27 April 2024"), via dateparser.

A date is only read when the text names a day, a month and a year: a clock ("0:00", "4:30 am") or a relative
time ("5 hours ago") gives no date, because the reader cannot know what it was relative to. Time-zone
abbreviations are read here, not by dateparser, which takes the generic US zones (ET, PT) for their winter
offsets all year round; a date printed without a zone is taken as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import dateparser

_FIXED_OFFSETS_HOURS: dict[str, float] = {
    "UTC": 0, "UT": 0, "GMT": 0, "WET": 0, "BST": 1, "WEST": 1, "CET": 1, "WAT": 1, "CEST": 2, "EET": 2,
    "CAT": 2, "SAST": 2, "EEST": 3, "EAT": 3, "MSK": 3, "PKT": 5, "HKT": 8, "SGT": 8, "MYT": 8, "PHT": 8,
    "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "AEST": 10, "ACDT": 10.5, "AEDT": 11, "NZST": 12,
    "NZDT": 13, "HST": -10, "AKST": -9, "AKDT": -8, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6,
    "CDT": -5, "EST": -5, "EDT": -4, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
}  # fmt: skip
# Generic zones name a place's clock, summer or winter: the offset depends on the date.
_GENERIC_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
                  "PT": "America/Los_Angeles", "AT": "America/Halifax"}  # fmt: skip
_ZONE_NAMES = sorted([*_FIXED_OFFSETS_HOURS, *_GENERIC_ZONES], key=len, reverse=True)
# Upper-case only: "at" is a word, "AT" is Atlantic Time.
_ZONE_ABBREVIATION = re.compile(rf"(?<![\w.])(?:{'|'.join(_ZONE_NAMES)})(?![\w])")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
)
_NUMBER = r"\d{1,4}(?:(?:st|nd|rd|th)\b|(?:[-/.:T]\d{1,4})*(?:Z|[+-]\d{2}:?\d{2})?(?:\s?[ap]\.?m\.?)?)"
_MERIDIEM = r"[ap]\.?m\.?"
_ZONE = rf"(?-i:{'|'.join(_ZONE_NAMES)}|UTC[+-]\d{{1,2}}(?::?\d{{2}})?|GMT[+-]\d{{1,2}}(?::?\d{{2}})?)"
_DATE_TOKEN = rf"(?:{_NUMBER}|{_MONTH}|{_WEEKDAY}|{_MERIDIEM}|{_ZONE})(?![\w])"
# A stretch of date words: "Feb. 11, 2025, 4:32 PM ET", "on 12 March 2024 at 14:00 GMT".
DATE_RUN = re.compile(
    rf"(?:(?:on|at)\s+)?{_DATE_TOKEN}(?:[\s,|-]*(?:(?:at|on|of)\s+)?{_DATE_TOKEN})*", re.IGNORECASE
)
# A calendar date somewhere in a run: a month's name next to a number, or a numeric date with a year.
_CALENDAR_DATE = re.compile(
    rf"{_MONTH}\s*\d|\d(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|\b\d{{4}}-\d{{1,2}}-\d{{1,2}}|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s*")
_MAX_DATE_CHARS = 80  # a printed date is short; longer text is not handed to dateparser
# Absolute dates only: "5 hours ago" has no base to be relative to, a bare number is no timestamp.
_PARSERS = ["absolute-time", "custom-formats"]


def has_calendar_date(text: str) -> bool:
    return bool(_CALENDAR_DATE.search(text))


def leading_date(text: str, position: int = 0) -> re.Match[str] | None:
    """The date run at `position` in `text` (after spaces), if it names a calendar date."""
    start = _SPACES.match(text, position)
    match = DATE_RUN.match(text, start.end() if start else position)
    if match and has_calendar_date(match.group()):
        return match
    return None


def first_date(text: str) -> re.Match[str] | None:
    """The first date run anywhere in `text` that names a calendar date."""
    for match in DATE_RUN.finditer(text):
        if has_calendar_date(match.group()):
            return match
    return None


def _zone(abbreviation: str) -> tzinfo:
    if abbreviation in _GENERIC_ZONES:
        return ZoneInfo(_GENERIC_ZONES[abbreviation])
    return timezone(timedelta(hours=_FIXED_OFFSETS_HOURS[abbreviation]))


def _dateparser(text: str, settings: dict[str, object]) -> datetime | None:
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser's internals fail on odd input; unreadable text is simply no date
        return None
    return parsed if isinstance(parsed, datetime) else None


def parse_date(text: str) -> datetime | None:
    """The instant a printed date names, in UTC; None unless it names a day, a month and a year."""
    text = text.strip(" ,|-:")
    if not text or len(text) > _MAX_DATE_CHARS or not has_calendar_date(text):
        return None
    settings: dict[str, object] = {"PARSERS": _PARSERS, "REQUIRE_PARTS": ["day", "month", "year"]}
    zone = _ZONE_ABBREVIATION.search(text)
    if zone is None:
        # An offset such as "+02:00" or "UTC+2" is applied by dateparser; no offset at all means UTC.
        settings |= {"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True}
        parsed = _dateparser(text, settings)
        return parsed.astimezone(UTC) if parsed else None
    local_text = f"{text[: zone.start()]} {text[zone.end() :]}".strip(" ,")
    settings |= {"RETURN_AS_TIMEZONE_AWARE": False}
    parsed = _dateparser(local_text, settings)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=_zone(zone.group())).astimezone(UTC)
