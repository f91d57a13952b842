"""Update and correction notices ("Updated: Feb. 11, 2025, 4:05 p.m. ET", "Correction: ...", "Editor's note:
...", "This article was updated to ...") and "Published" stamps, with the dates they print.

A notice's date is read only from the notice itself: "Updated:" followed on the next line by an audio player's
clock ("0:00") is a notice without a date. The one exception is a bare label whose next line is nothing but
a full calendar date ("Updated:" / "Feb. 11, 2025"): the notice then spans both lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.domain.credits import NoticeKind
from archive.extract.model import FoundDate, FoundNotice, Span
from archive.extract.text_dates import DATE_RUN, first_date, leading_date, parse_date
from archive.extract.text_lines import Piece

RULE_UPDATED = "text.notice.updated"
RULE_CORRECTED = "text.notice.corrected"
RULE_EDITORS_NOTE = "text.notice.editors_note"
RULE_UPDATED_TO = "text.notice.updated_to"
RULE_EARLIER_VERSION = "text.notice.earlier_version"
RULE_PUBLISHED = "text.published"

# Each alternative is one kind of notice; the group that matched names it.
_NOTICE_LABEL = re.compile(
    r"(?P<updated>(?:last\s+)?(?:updated|modified)(?:\s+on)?)"
    r"|(?P<corrected>corrected(?:\s+on)?|corrections?|clarifications?)"
    r"|(?P<editors_note>editor'?s'?\s+note|note\s+from\s+the\s+editor)"
    r"|(?P<updated_to>this\s+(?:article|story|report|post|piece|page)\s+(?:was|has\s+been|had\s+been)\s+"
    r"(?:updated|corrected|amended|changed)\b)"
    r"|(?P<earlier_version>an?\s+(?:earlier|previous|prior)\s+version\s+of\s+this\s+"
    r"(?:article|story|report|post|piece))"
    r"|(?P<published>(?:first\s+)?(?:published|posted)(?:\s+on)?)",
    re.IGNORECASE,
)
# After a label: what separates it from its text ("Updated: ", "EDITOR'S NOTE - ").
_LABEL_PUNCTUATION = re.compile(r"\s*[:-]\s*|\s+")
# A relative or clock-only stamp after a label without a colon ("Updated 5 hours ago", "Updated 4:30 am").
_RELATIVE_TIME = re.compile(
    r"\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago\b|just\s+now\b", re.IGNORECASE
)
# Separators between the stamps of one header line ("Published ... | Updated ...", "CBC News · Posted: ...").
_STAMP_SEPARATORS = "|\u00b7\u2022(["
_SENTENCE_KINDS = frozenset({"updated_to", "earlier_version"})
_CORRECTING = re.compile(r"\bcorrect|\berror\b|\bmisstated\b|\bincorrect|\bmisidentified\b|\bwrongly\b", re.I)
_MAX_NOTICES = 50  # more than this is no article; the rest are not read
# A notice is a line or a paragraph: a longer one is cut here (and no search runs to the end of a huge line).
_MAX_NOTICE_CHARS = 2000
_OPENING_CHARS = 160  # what follows a label closely decides whether it opens a notice


@dataclass(frozen=True)
class Stamp:
    """A notice or a "Published" stamp found in a line."""

    kind: str  # a group name of _NOTICE_LABEL
    piece: Piece  # the notice as printed
    date_text: Piece | None  # the date inside it, if it names one


def _stands_at_start(line: Piece, label_start: int, kind: str, line_start: int) -> bool:
    """A label counts at the start of a line (after list marks), after a stamp separator, or (for sentences)
    after a sentence. `line_start` is where the line's text begins after its list marks."""
    if label_start <= line_start:
        return True
    tail = line.text[max(0, label_start - 8) : label_start].rstrip()
    if tail[-1:] in _STAMP_SEPARATORS:
        return True
    return kind in _SENTENCE_KINDS and tail[-1:] in '.!?")'


def _segment_end(line: Piece, start: int, *, in_parentheses: bool) -> int:
    """Where a stamp starting at `start` ends: at ")" if it opened one, at the next stamp separator, or at the
    end of the line."""
    text = line.text
    limit = min(len(text), start + _MAX_NOTICE_CHARS)
    if in_parentheses:
        close = text.find(")", start, limit)
        return limit if close < 0 else close
    ends = [position for mark in "|\u00b7\u2022" if (position := text.find(mark, start, limit)) >= 0]
    return min(ends, default=limit)


def _label_stamp(line: Piece, match: re.Match[str], kind: str) -> Stamp | None:
    """A labelled stamp ("Updated: ...", "Corrected on ...", "Editor's note: ..."), or None when the label
    starts prose ("Updated figures show ...")."""
    in_parentheses = line.text[max(0, match.start() - 8) : match.start()].rstrip()[-1:] == "("
    end = _segment_end(line, match.end(), in_parentheses=in_parentheses)
    opening = line.text[match.end() : min(end, match.end() + _OPENING_CHARS)]
    separator = _LABEL_PUNCTUATION.match(opening)
    punctuation = separator.group() if separator else ""
    rest = opening[separator.end() if separator else 0 :]
    if not _opens_a_notice(kind, punctuation, rest):
        return None
    piece = line.slice(match.start(), end).strip()
    rest_start = match.end() - match.start() + (separator.end() if separator else 0)
    if kind == "editors_note":
        rest_start += len(rest) - len(rest.lstrip("( "))  # "Editor's note (Feb. 12, 2025): ..."
    date = leading_date(piece.text, rest_start)
    return Stamp(kind, piece, piece.slice(date.start(), date.end()) if date else None)


def _opens_a_notice(kind: str, punctuation: str, rest: str) -> bool:
    if kind == "editors_note":
        return ":" in punctuation or "-" in punctuation
    if ":" in punctuation:
        return True
    if kind == "corrected" and not rest.strip():
        return False  # "Corrections" alone is a link to the corrections page, not a notice
    # "Updated 4:30 am", "Updated" alone; not "Updated figures show ...", prose that begins with the word.
    return not rest.strip() or _starts_with_stamp(rest)


def _starts_with_stamp(rest: str) -> bool:
    stripped = rest.lstrip()
    return bool(DATE_RUN.match(stripped) or _RELATIVE_TIME.match(stripped))


def _sentence_stamp(line: Piece, match: re.Match[str], kind: str) -> Stamp:
    """A notice written as a sentence ("This article was updated to ..."): to the end of its line."""
    piece = line.slice(match.start(), match.start() + _MAX_NOTICE_CHARS).strip()
    date = first_date(piece.text)
    return Stamp(kind, piece, piece.slice(date.start(), date.end()) if date else None)


def stamps_in_line(line: Piece) -> list[Stamp]:
    """The notices and "Published" stamps printed in one line, left to right, never overlapping."""
    stamps: list[Stamp] = []
    covered_to = line.start
    line_start = len(line.text) - len(line.text.lstrip(" *_-"))
    for match in _NOTICE_LABEL.finditer(line.text):
        kind = match.lastgroup or ""
        if line.start + match.start() < covered_to or not match.group()[0].isupper():
            continue
        if not _stands_at_start(line, match.start(), kind, line_start):
            continue
        stamp = (
            _sentence_stamp(line, match, kind) if kind in _SENTENCE_KINDS else _label_stamp(line, match, kind)
        )
        if stamp is not None:
            stamps.append(stamp)
            covered_to = stamp.piece.end
    return stamps


def _with_date_on_next_line(stamp: Stamp, next_line: Piece | None) -> Stamp:
    """ "Updated:" alone, then a line that is only a full date: one notice over both lines."""
    if stamp.date_text is not None or next_line is None or stamp.kind in _SENTENCE_KINDS:
        return stamp
    if stamp.piece.text.rstrip(": ").lower() != _label_only(stamp.piece.text).lower():
        return stamp
    date = leading_date(next_line.text)
    if date is None or date.end() != len(next_line.text) or parse_date(date.group()) is None:
        return stamp
    return Stamp(stamp.kind, stamp.piece, next_line)  # the notice's span runs on to the date's end


def _label_only(text: str) -> str:
    match = _NOTICE_LABEL.match(text)
    return match.group() if match else ""


_NOTICE_KINDS: dict[str, tuple[NoticeKind, str]] = {
    "updated": ("updated", RULE_UPDATED),
    "corrected": ("corrected", RULE_CORRECTED),
    "editors_note": ("editors_note", RULE_EDITORS_NOTE),
    "updated_to": ("updated", RULE_UPDATED_TO),
    "earlier_version": ("corrected", RULE_EARLIER_VERSION),
}


def find_notices(original: str, lines: list[Piece]) -> tuple[list[FoundNotice], FoundDate | None]:
    """The document's notices in order, and its first "Published" date."""
    notices: list[FoundNotice] = []
    published: FoundDate | None = None
    non_blank = [line.strip() for line in lines if line.text.strip()]
    for index, line in enumerate(non_blank):
        following = non_blank[index + 1] if index + 1 < len(non_blank) else None
        for found in stamps_in_line(line):
            if found.kind == "published":
                published = published or _published_date(original, found)
            elif len(notices) < _MAX_NOTICES:
                notices.append(_notice(original, _with_date_on_next_line(found, following)))
    return notices, published


def _notice(original: str, stamp: Stamp) -> FoundNotice:
    kind, rule = _NOTICE_KINDS[stamp.kind]
    start = stamp.piece.start
    end = max(stamp.piece.end, stamp.date_text.end if stamp.date_text else 0)
    text = original[start:end]
    if stamp.kind == "updated_to" and _CORRECTING.search(text):
        kind = "corrected"  # "This article was updated to correct ...": a correction
    date = parse_date(original[stamp.date_text.start : stamp.date_text.end]) if stamp.date_text else None
    return FoundNotice(kind=kind, text=text, date=date, rule=rule, span=Span(start, end))


def _published_date(original: str, stamp: Stamp) -> FoundDate | None:
    if stamp.date_text is None:
        return None
    value = parse_date(original[stamp.date_text.start : stamp.date_text.end])
    return FoundDate(value, RULE_PUBLISHED, stamp.date_text.span) if value else None
