"""Days as JSON Schema patterns (ECMA-262), for the OpenAPI document: years 0001 to 9999 (the years Python's
`datetime` names), and only the days that exist, leap days in leap years. The services and the edges that
read dates build their patterns from these, so a schema-valid date is always one they accept."""

from __future__ import annotations

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
# Divisible by 4 and not by 100, or by 400 (and not the year 0000, which does not exist).
LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_ANY_MONTH = "(?:0[1-9]|1[0-9]|2[0-8])"
_NOT_FEBRUARY = "(?:0[13-9]|1[0-2])"
_LONG_MONTH = "(?:0[13578]|1[02])"

# `YYYY-MM-DD`.
ISO_DATE = (
    f"(?:{YEAR}-(?:(?:0[1-9]|1[0-2])-{_ANY_MONTH}|{_NOT_FEBRUARY}-(?:29|30)|{_LONG_MONTH}-31)"
    f"|{LEAP_YEAR}-02-29)"
)
# `DD Mon YYYY`, as HTTP dates write the day.
HTTP_DAY = (
    f"(?:{_ANY_MONTH} (?:{'|'.join(MONTH_NAMES)}) {YEAR}"
    f"|(?:29|30) (?:{'|'.join(name for name in MONTH_NAMES if name != 'Feb')}) {YEAR}"
    f"|31 (?:Jan|Mar|May|Jul|Aug|Oct|Dec) {YEAR}"
    f"|29 Feb {LEAP_YEAR})"
)
