"""Credits printed apart from the byline: credit lines in the body and the author box at its end.

A credit line names who else worked on the story: "Jane Doe and John Roe contributed to this report.",
"Additional reporting by Ann Poe", "Reporting by Jane Doe; Editing by John Roe", "Translated from French by
...". An author box closes the article: the author's name by an "About the author" heading, or a bio that
starts with it ("Jane Doe is a reporter for ...", or "Jane Doe" then "Doe covers ...").

The rules read the document's non-blank lines, each a `Piece` of the matchable text, and return `Candidate`
credits; the extractor drops the duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.domain.credits import AgentKind, CreditRole
from archive.extract.text_lines import SENTENCE_END, Piece
from archive.extract.text_names import bare_word, clean_name, is_person_name, read_name_list
from archive.names import normalize_name

RULE_CONTRIBUTED = "text.contributed_line"
RULE_ADDITIONAL_REPORTING = "text.additional_reporting"
RULE_REPORTING = "text.credit_line.reporting"
RULE_WRITING = "text.credit_line.writing"
RULE_EDITING = "text.credit_line.editing"
RULE_TRANSLATION = "text.credit_line.translation"
RULE_AUTHOR_BOX = "text.author_box"

_TAIL_LINES = 15  # the author box is among the last lines

# "... contributed to this report.", "... contributed reporting."
_CONTRIBUTED = re.compile(
    r"\s+(?:also\s+)?contributed\s+(?:to\s+(?:this|the)\s+(?:report|story|article|coverage|guide|piece|post"
    r"|review|feature|analysis)|(?:additional\s+)?"
    r"reporting|research|to\s+reporting)\b",
    re.IGNORECASE,
)
# Where a contributed line's list of names begins: a sentence's start (not after an initial), a dash, a
# parenthesis, a colon.
_LIST_START = re.compile(
    r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|No|vs))(?<!\bMrs)[.!?]+[\"')\]]*\s+|\s-\s+|\(\s*|:\s+|^[\s*_-]*"
)
# "Additional reporting by ...", "Reporting by ...; Editing by ...", "Translated by ...", and the contributor
# lines of other languages ("Mitarbeit: ...", "Mit Material von ...", "Con información de ...").
_CREDIT_LINE = re.compile(
    r"(?P<additional>(?:(?:with\s+)?(?:additional|further|extra)\s+reporting|with\s+reporting)\s+(?:by|from)\s+"
    r"|with\s+files\s+from\s+|mitarbeit:\s*|mit\s+material\s+von\s+|con\s+informaci[óo]n\s+de\s+"
    r"|avec\s+la\s+(?:collaboration|contribution)\s+de\s+)"
    r"|(?P<reporting>reporting|reported)\s+by\s+"
    r"|(?P<writing>writing)\s+by\s+"
    r"|(?P<editing>editing|edited)\s+by\s+"
    r"|(?P<translation>translated|translation)\s+(?:from\s+\w+\s+)?by\s+",
    re.IGNORECASE,
)
_CREDIT_LINE_END = re.compile(r"[;)]|\s+-\s+")
# The role each credit line gives; None: a Reuters-style line's reporters and writers are the authors when
# no byline names any, else contributors.
_CREDIT_LINE_ROLES: dict[str, tuple[CreditRole | None, str]] = {
    "additional": ("contributor", RULE_ADDITIONAL_REPORTING),
    "reporting": (None, RULE_REPORTING),
    "writing": (None, RULE_WRITING),
    "editing": ("editor", RULE_EDITING),
    "translation": ("translator", RULE_TRANSLATION),
}
# "About the author", "Author", "Authors": the heading of an author box.
_AUTHOR_BOX_HEADING = re.compile(
    r"(?:about\s+the\s+(?:authors?|writer|reporter)|authors?|author\s+bio)\s*:?", re.I
)
# "Jane Doe is a reporter for ...", "Doe covers national politics for ...": an author's bio.
_BIO_VERB = re.compile(r"\s+(?:is|was|has\s+been|covers|writes|reports|edits)\b")
_BIO_JOB = re.compile(
    r"\b(?:reporter|correspondent|editor|writer|journalist|columnist|contributor|producer|photographer|author"
    r"|freelancer?|staff|covers|writes|reports)\b",
    re.IGNORECASE,
)
_MAX_LIST_CHARS = 200  # how far before "contributed" a list of names may begin
_MAX_BIO_NAME_TOKENS = 5
_BIO_JOB_REACH = 60  # "is a reporter", "is a senior correspondent": the job comes right after the verb


@dataclass(frozen=True)
class Candidate:
    """A credit found by a text rule, before duplicates are dropped."""

    name: Piece
    kind: AgentKind
    role: CreditRole
    rule: str


# --- contributed, reporting and editing lines -------------------------------------------------------------


def find_credit_lines(rows: list[Piece], *, has_author: bool) -> list[Candidate]:
    """ "X and Y contributed to this report.", "Additional reporting by X", "Reporting by X; Editing by Y"."""
    found: list[Candidate] = []
    reporter: CreditRole = "contributor" if has_author else "author"
    for piece in rows:
        found += _contributed(piece)
        found += _labelled_credit_lines(piece, reporter)
    return found


def _contributed(line: Piece) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _CONTRIBUTED.finditer(line.text):
        last_word = line.text[max(0, match.start() - 40) : match.start()].split()[-1:]
        if not last_word or not last_word[0][:1].isupper():
            continue  # a list of names ends with a name or a place: "The money he contributed ..." is prose
        window_start = max(0, match.start() - _MAX_LIST_CHARS)
        starts = [m.end() for m in _LIST_START.finditer(line.text, window_start, match.start())]
        sentence_starts = [start for start in starts if start < match.start()] or [window_start]
        names = read_name_list(line.slice(sentence_starts[-1], match.start()).strip(" *_\"'"))
        found += [Candidate(name.piece, name.kind, "contributor", RULE_CONTRIBUTED) for name in names or []]
    return found


def _labelled_credit_lines(line: Piece, reporter: CreditRole) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _CREDIT_LINE.finditer(line.text):
        before = line.text[max(0, match.start() - 8) : match.start()].rstrip()
        at_start = (not before.strip(" *_-") and match.start() <= 8) or before[-1:] in ";(-"
        after_sentence = match.group()[0].isupper() and before.rstrip("\"')]").endswith((".", "!", "?"))
        if not (at_start or after_sentence):
            continue
        end = _CREDIT_LINE_END.search(line.text, match.end())
        names_piece = line.slice(match.end(), end.start() if end else None)
        sentence_end = SENTENCE_END.search(names_piece.text)
        if sentence_end:
            names_piece = names_piece.slice(0, sentence_end.start())
        role, rule = _CREDIT_LINE_ROLES[match.lastgroup or ""]
        names = read_name_list(names_piece.strip())
        found += [Candidate(name.piece, name.kind, role or reporter, rule) for name in names or []]
    return found


# --- the author box ---------------------------------------------------------------------------------------


def find_author_box(rows: list[Piece], header_end: int) -> list[Candidate]:
    """Names in an author box at the end: by an "Author" heading, or starting a bio ("Jane Doe is a reporter
    for ...", or "Jane Doe" then "Doe covers ...")."""
    first = max(header_end, len(rows) - _TAIL_LINES)
    found: list[Candidate] = []
    for row in range(first, len(rows)):
        piece = rows[row]
        if _AUTHOR_BOX_HEADING.fullmatch(piece.text):
            found += _names_around_heading(rows, row, first)
            continue
        bio_name = _bio_name(piece)
        if bio_name is not None:
            found.append(Candidate(bio_name, "person", "author", RULE_AUTHOR_BOX))
        elif row + 1 < len(rows) and _introduces_bio(piece, rows[row + 1]):
            found.append(Candidate(piece, "person", "author", RULE_AUTHOR_BOX))
    return found


def _names_around_heading(rows: list[Piece], heading: int, first: int) -> list[Candidate]:
    """The name lines directly before an "Author" heading (up to two), else the one directly after it."""
    names: list[Piece] = []
    for row in (heading - 1, heading - 2):
        name = clean_name(rows[row]) if row >= first else None
        if name is None or not is_person_name(name.text):
            break
        names.insert(0, name)
    if not names and heading + 1 < len(rows):
        after = clean_name(rows[heading + 1])
        names = [after] if is_person_name(after.text) else []
    return [Candidate(name, "person", "author", RULE_AUTHOR_BOX) for name in names]


def _bio_name(line: Piece) -> Piece | None:
    """ "Jane Doe is a reporter for ...": the person a bio line is about."""
    verb = _BIO_VERB.search(line.text, 0, 80)
    if verb is None or not _BIO_JOB.search(line.text, verb.start(), verb.end() + _BIO_JOB_REACH):
        return None
    name = line.slice(0, verb.start())
    if len(name.text.split()) > _MAX_BIO_NAME_TOKENS or not is_person_name(name.text):
        return None
    return name


def _introduces_bio(line: Piece, following: Piece) -> bool:
    """ "THOMAS BEAUMONT" then "Beaumont covers national politics for ...": a name line and its bio."""
    if not is_person_name(line.text):
        return False
    surname = bare_word(line.text.split()[-1])
    verb = _BIO_VERB.search(following.text, 0, 80)
    if verb is None or not _BIO_JOB.search(following.text, verb.start(), verb.end() + _BIO_JOB_REACH):
        return False
    subject = normalize_name(following.text[: verb.start()])
    return subject in {surname, normalize_name(line.text)}
