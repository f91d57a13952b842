"""The plain-text extractor: what a news article copied out of a web page says about itself.

`extract_text(text)` reads the title, the standfirst, the credits (authors, contributors, editors,
translators, photographers and photo credits), the photos' captions and credit lines, the update and
correction notices and the "Published" date, each with the rule that found it and where in the text it is
printed.

A copied article starts with a header block: the title, perhaps a standfirst (a one- or two-sentence summary),
the title again, a photo with its caption, the byline, "Updated:" stamps. The body follows, then lines such as
"Jane Doe contributed to this report." and an author box. The rules read each part where it is printed and
never read names out of the body's prose: the people a story is about are not its authors. The header's rules
are here; the credit lines and the author box are read by `text_credit_lines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.extract.model import Extraction, Found, FoundCredit, FoundPhoto
from archive.extract.text_credit_lines import RULE_AUTHOR_BOX, Candidate, find_author_box, find_credit_lines
from archive.extract.text_dates import leading_date
from archive.extract.text_lines import SENTENCE_END, Piece, matchable, split_lines, word_count
from archive.extract.text_names import (
    ListedName,
    agent_kind,
    is_job_description,
    is_organization,
    is_person_name,
    split_name_list,
    without_job_suffix,
    without_place,
)
from archive.extract.text_notices import find_notices, stamps_in_line
from archive.extract.text_photos import find_photos
from archive.names import normalize_name

RULE_TITLE = "text.title"
RULE_STANDFIRST = "text.standfirst"
RULE_BYLINE = "text.byline"

_HEADER_MAX_LINES = 25  # a header block longer than this is no header block
_MAX_TITLE_WORDS = 30
_MAX_TITLE_CHARS = 250
_MAX_STANDFIRST_CHARS = 400
_MIN_PROSE_WORDS = 8  # a line this long is a paragraph, unless it is a caption or a repeated title
_MAX_BYLINE_CHARS = 300  # the names of a byline; a longer text is prose

# "By Jane Doe", "BY JANE DOE", "Written by ...", "Author: ...", "Author of the article: ..."
_BYLINE_LABEL = re.compile(
    r"(?:By|BY|(?:Written|Words|Story|Text|Reported)\s+(?:by|BY)|WRITTEN\s+BY|Authors?:|Author\s+of\s+the\s+article:"
    r"|Byline:|Reporter:)\s+"
)
# Between the parts of a header line: "Jane Doe | Staff writer", "Jane Doe · CBC News · Posted: ...".
_HARD_SEPARATOR = re.compile(r"\s*[|\u00b7\u2022]\s*|\s+-\s+")
# "Jane Doe For Dailymail.Com", "Jane Doe at Reuters": an affiliation after the name.
_AFFILIATION_PREFIX = re.compile(r"(?:for|at|of)\s+(?=\S)", re.IGNORECASE)


@dataclass(frozen=True)
class _Row:
    """A non-blank line: its index among all lines and its stripped text."""

    index: int
    piece: Piece


@dataclass
class _Reading:
    """What the rules share while reading one document."""

    original: str
    lines: list[Piece]  # every line, blank ones included
    rows: list[_Row]  # the non-blank lines
    title_rows: set[int] = field(default_factory=set)  # the title and its repetitions (positions in rows)
    stamp_rows: set[int] = field(default_factory=set)  # rows with a notice or a date, in the header
    photos: list[FoundPhoto] = field(default_factory=list)
    photo_rows: set[int] = field(default_factory=set)  # rows that hold a photo credit
    marker_rows: set[int] = field(default_factory=set)  # rows only a header has, in the header

    def printed(self, piece: Piece) -> str:
        return self.original[piece.start : piece.end]


def extract_text(text: str) -> Extraction:
    """Everything the text says about itself, each finding with its rule and its span in `text`."""
    extraction = Extraction(text=text)
    if not text.strip():
        extraction.problems.append("the text is empty")
        return extraction
    reading = _read(text)
    header_end = _header_end(reading)
    extraction.title = _title(reading)
    extraction.subtitle = _standfirst(reading, header_end) if extraction.title else None
    extraction.photos = reading.photos
    extraction.notices, extraction.published_at = find_notices(text, reading.lines)
    bylines = _bylines(reading, header_end)
    rows = [r.piece for r in reading.rows]
    credit_lines = find_credit_lines(rows, has_author=any(c.role == "author" for c in bylines))
    author_box = find_author_box(rows, header_end)
    extraction.credits = _document_credits(reading, [*bylines, *credit_lines, *author_box])
    return extraction


def _read(text: str) -> _Reading:
    """The text's lines, and the lines every rule needs to know: the title's, the stamps', the photos'."""
    lines = split_lines(matchable(text))
    rows = [_Row(index, line.strip()) for index, line in enumerate(lines) if line.text.strip()]
    reading = _Reading(text, lines, rows)
    # Stamps matter where the header may be (bylines are found next to them), one line past its end.
    header_rows = rows[: _HEADER_MAX_LINES + 4]
    reading.stamp_rows = {
        row for row, r in enumerate(header_rows) if stamps_in_line(r.piece) or _is_date_line(r.piece)
    }
    reading.title_rows = _title_rows(reading)
    photos = find_photos(text, lines, {rows[row].index for row in reading.title_rows})
    reading.photos = [photo for _, photo in photos]
    photo_lines = {line for line, _ in photos}
    reading.photo_rows = {row for row, r in enumerate(rows) if r.index in photo_lines}
    reading.marker_rows = {row for row in range(len(header_rows)) if _is_marker(reading, row)}
    return reading


def _is_date_line(line: Piece) -> bool:
    """A line that is nothing but a date ("February 10, 2025 5:00 pm ET")."""
    date = leading_date(line.text)
    return date is not None and not line.text[date.end() :].strip(" ,.|")


# --- the header: title, standfirst, where the body begins -------------------------------------------------


def _looks_like_headline(line: Piece) -> bool:
    text = line.text
    words = word_count(text)
    if not 2 <= words <= _MAX_TITLE_WORDS or len(text) > _MAX_TITLE_CHARS or text.endswith((":", ",", ";")):
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'"):
        return False
    if _BYLINE_LABEL.match(text) or stamps_in_line(line) or _is_date_line(line):
        return False
    sentences = _sentence_count(text)
    return sentences <= 2 and not (text.endswith(".") and words > 15)


def _sentence_count(text: str) -> int:
    return len(SENTENCE_END.findall(text)) + 1


def _title_rows(reading: _Reading) -> set[int]:
    """The first line when it reads as a headline, and every later line that repeats it."""
    if not reading.rows or not _looks_like_headline(reading.rows[0].piece):
        return set()
    first = reading.rows[0].piece.text
    if is_person_name(first) and 1 in reading.stamp_rows:
        return set()  # "Jane Doe" / "Updated: ...": a copy that begins at the byline has no title
    title = normalize_name(first)
    # Only lines of about the title's length are compared: normalising every line of a long text is slow.
    similar = [row for row, r in enumerate(reading.rows) if abs(len(r.piece.text) - len(first)) <= 10]
    return {row for row in similar if normalize_name(reading.rows[row].piece.text) == title}


def _title(reading: _Reading) -> Found | None:
    if 0 not in reading.title_rows:
        return None
    piece = reading.rows[0].piece
    return Found(reading.printed(piece), RULE_TITLE, piece.span)


def _is_marker(reading: _Reading, row: int) -> bool:
    """A line only a header block has: a stamp, a photo credit, a byline, the title again."""
    piece = reading.rows[row].piece
    return (
        row in reading.stamp_rows
        or row in reading.photo_rows
        or (row in reading.title_rows and row > 0)
        or _labelled_byline(piece) is not None
        or _affiliated_byline(piece) is not None
    )


def _is_prose(reading: _Reading, row: int) -> bool:
    piece = reading.rows[row].piece
    return word_count(piece.text) >= _MIN_PROSE_WORDS and row not in reading.marker_rows


def _header_end(reading: _Reading) -> int:
    """The row where the body begins: the first paragraph not closely followed by header lines.

    A caption without a credit line may stand before the byline; it is followed by header lines within
    three lines, and the header goes on after it.
    """
    limit = min(len(reading.rows), _HEADER_MAX_LINES)
    for row in range(1, limit):
        if not _is_prose(reading, row):
            continue
        if not reading.marker_rows & set(range(row + 1, row + 4)):
            return row
    return limit


def _standfirst(reading: _Reading, header_end: int) -> Found | None:
    """The paragraph after the title, when header lines (byline, stamp, photo) follow it before the body."""
    if len(reading.rows) < 3 or header_end <= 2:
        return None
    piece = reading.rows[1].piece
    if 1 in reading.marker_rows or word_count(piece.text) < 4 or len(piece.text) > _MAX_STANDFIRST_CHARS:
        return None
    if piece.text.endswith(":") or _sentence_count(piece.text) > 3 or is_person_name(piece.text):
        return None
    if not reading.marker_rows & set(range(2, header_end)):
        return None
    return Found(reading.printed(piece), RULE_STANDFIRST, piece.span)


# --- bylines ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Byline:
    names: list[ListedName]
    affiliated: bool  # a job or an organisation was printed with the names ("Jane Doe, Reuters")


def _read_byline(piece: Piece) -> _Byline | None:
    """The names of "Jane Doe, John Roe and Ann Poe", "Jane Doe, Reuters", "Jane Doe Staff writer",
    "The Associated Press"; None when the text is not only a byline ("Jane Doe's account ...")."""
    names: list[ListedName] = []
    items = split_name_list(piece) if len(piece.text) <= _MAX_BYLINE_CHARS else []
    for position, item in enumerate(items):
        name, rest = without_job_suffix(without_place(item)[0])
        if rest and not _is_affiliation(rest):
            return None
        kind = agent_kind(name.text)
        if kind == "person":
            names.append(ListedName(name, kind))
            if rest:
                return _Byline(names, affiliated=True)
            continue
        if position > 0 and names and (kind == "organization" or _is_affiliation(item.text)):
            return _Byline(names, affiliated=True)  # "Jane Doe, Reuters": the rest says where she works
        if kind == "organization" and len(items) == 1:
            return _Byline([ListedName(name, kind)], affiliated=False)  # "By The Associated Press"
        return None
    return _Byline(names, affiliated=False) if names else None


def _is_affiliation(text: str) -> bool:
    """A job ("Staff writer"), an organisation ("CBC News", "Reuters"), or "for Dailymail.Com"."""
    text = _AFFILIATION_PREFIX.sub("", text.strip(" ,"), count=1) if _AFFILIATION_PREFIX.match(text) else text
    text = text.strip(" ,")
    return is_job_description(text) or is_organization(text, agency_slot=True)


def _labelled_byline(line: Piece) -> _Byline | None:
    """ "By Jane Doe and John Roe | Updated ...": the byline's names, up to the first hard separator."""
    label = _BYLINE_LABEL.match(line.text)
    if label is None:
        return None
    rest = line.slice(label.end())
    names = rest.split(_HARD_SEPARATOR)
    if not names or len(names[0].text) > _MAX_BYLINE_CHARS:
        return None
    byline = _read_byline(_without_trailing_date(names[0]))
    if byline is None:
        return None
    only_one_word = len(byline.names) == 1 and len(byline.names[0].piece.text.split()) == 1
    if only_one_word and names[0].text != rest.strip().text:
        return None  # "By Reuters" must be the whole line: "By Monday | ..." is not a byline
    return byline


def _without_trailing_date(piece: Piece) -> Piece:
    """ "Jane Doe February 10, 2025": the names before a date printed on the same line."""
    words = list(re.finditer(r"\S+", piece.text))
    for word in words[1:]:
        if leading_date(piece.text, word.start()):
            return piece.slice(0, word.start()).strip(" ,")
    return piece


def _affiliated_byline(line: Piece) -> _Byline | None:
    """ "Jane Doe, Reuters", "Jane Doe | Staff writer", "Jane Doe · CBC News · Posted ...": people only."""
    segments = line.split(_HARD_SEPARATOR)
    if not segments or _BYLINE_LABEL.match(line.text):
        return None
    byline = _read_byline(segments[0])
    if byline is None or any(name.kind != "person" for name in byline.names):
        return None
    if byline.affiliated or (len(segments) > 1 and _is_affiliation(segments[1].text)):
        return _Byline(byline.names, affiliated=True)
    return None


def _bare_byline(reading: _Reading, row: int) -> _Byline | None:
    """A line of people's names only, directly before or after a stamp ("Samantha Flom" / "Updated:")."""
    segments = reading.rows[row].piece.split(_HARD_SEPARATOR)
    if not segments:
        return None
    byline = _read_byline(segments[0])
    if byline is None or any(name.kind != "person" for name in byline.names):
        return None
    stamped_here = any(stamps_in_line(segment) or _is_date_line(segment) for segment in segments[1:])
    next_to_stamp = row - 1 in reading.stamp_rows or row + 1 in reading.stamp_rows
    return byline if stamped_here or next_to_stamp else None


def _bylines(reading: _Reading, header_end: int) -> list[Candidate]:
    """The header's bylines: labelled ("By ..."), "Name, Affiliation" lines and bare names by a stamp.

    Below the header a "By ..." line belongs to a list of other stories, not to this one.
    """
    found: list[Candidate] = []
    for row in range(header_end):
        if row in reading.title_rows or row in reading.photo_rows:
            continue
        byline = _header_byline(reading, row)
        if byline is not None:
            found += [Candidate(name.piece, name.kind, "author", RULE_BYLINE) for name in byline.names]
    return found


def _header_byline(reading: _Reading, row: int) -> _Byline | None:
    piece = reading.rows[row].piece
    for segment in [piece, *piece.split(_HARD_SEPARATOR)[1:]]:  # also "Published ... | By Jane Doe"
        labelled = _labelled_byline(segment)
        if labelled is not None:
            return labelled
    return _affiliated_byline(piece) or _bare_byline(reading, row)


# --- the document's credits -------------------------------------------------------------------------------

_ROLE_ORDER: dict[str, int] = {
    role: order
    for order, role in enumerate(
        ["author", "contributor", "editor", "translator", "illustrator", "photographer", "photo_credit"]
    )
}
_TEXT_ROLES = frozenset({"author", "contributor", "editor", "translator"})
# Which finding of a person wins: the byline, then credit lines (0-1), then the author box.
_RULE_ORDER = {RULE_BYLINE: 0, RULE_AUTHOR_BOX: 2}


def _document_credits(reading: _Reading, candidates: list[Candidate]) -> list[FoundCredit]:
    """One credit per name and role, the first found kept; authors first, then the other roles.

    `candidates` come byline first, then credit lines, then the author box. A person has one text role: named
    in a byline and again in a contributed line or an author box, they are one author. Photo credits are the
    photos' own findings, once per name and role.
    """
    found = [
        FoundCredit(reading.printed(c.name), c.role, c.kind, c.rule, c.name.span)
        for c in sorted(candidates, key=lambda c: (_RULE_ORDER.get(c.rule, 1), c.name.start))
    ]
    credits: list[FoundCredit] = []
    roles_of: dict[str, set[str]] = {}
    for credit in [*found, *(credit for photo in reading.photos for credit in photo.credits)]:
        roles = roles_of.setdefault(normalize_name(credit.name), set())
        if credit.role in roles or (credit.role in _TEXT_ROLES and roles & _TEXT_ROLES):
            continue
        roles.add(credit.role)
        credits.append(credit)
    return sorted(credits, key=lambda c: (_ROLE_ORDER[c.role], c.span.start if c.span else 0))
