"""Photo captions and their credit lines in a copied article.

A credit line names who made a picture (photographer, illustrator) and who owns or distributes it (the
photo credit: an agency, a publisher, a government office). It is printed after the caption, on the same line
or the next one, in a few forms:

- "(AP Photo/Name)": an agency's photo, in parentheses;
- "Photo: Name/Agency", "Photograph by Name", "Illustration: Name", "(Picture: Agency)": a labelled credit;
- "Credit: Agency/Name": a credit label;
- "Name via Getty Images", "AFP via Getty Images": a picture distributed by an agency;
- "Org/ Name", "Name/Agency": parts joined by slashes, each a person or an organisation;
- "Getty Images": an agency alone (an organisation whose name ends in Images, Photos, Wire ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from archive.domain.credits import AgentKind, CreditRole
from archive.extract.model import FoundCredit, FoundPhoto, Span
from archive.extract.text_lines import Piece
from archive.extract.text_names import (
    CREDIT_DESCRIPTORS,
    PHOTO_AGENCY_WORDS,
    agent_kind,
    bare_word,
    clean_name,
    has_organization_word,
    is_organization,
)

RULE_AP_PHOTO = "text.photo_credit.ap_photo"
RULE_PHOTO_LABEL = "text.photo_credit.photo_label"
RULE_CREDIT_LABEL = "text.photo_credit.credit_label"
RULE_VIA = "text.photo_credit.via"
RULE_SLASH = "text.photo_credit.slash"
RULE_AGENCY = "text.photo_credit.agency"

# "(AP Photo/Charles Rex Arbogast, File)", "(Reuters Photo)": an agency's name, "Photo", the photographers.
_AGENCY_PHOTO = re.compile(
    r"\((?P<credit>(?P<agency>[^()/\n]{1,40}?)\s+Photos?(?:\s*/\s*(?P<makers>[^()\n]{1,150}))?)\)"
)
# "Photo: ", "Photograph by ", "Illustration: ", "Photo courtesy of ", "Credit: ", "Image credit: " ...
_CREDIT_LABEL = re.compile(
    r"(?P<label>(?:photo|image|picture)\s+credits?|credits?|(?:photo\s+)?illustration|photo(?:graph)?s?"
    r"|images?|pictures?|pics?)(?:\s*:\s*|\s+by\s+|\s+courtesy\s+(?:of\s+)?)",
    re.IGNORECASE,
)
# Where a label may stand: at the start of the line or of a sentence, after "(" , "[" or "|".
_BEFORE_LABEL = re.compile(r"(?:[(\[|]\s*|[.!?\"')\]]\s+)$")
# Between the parts of a credit: "Name/Agency", "Name via Agency", "Name, File", "Agency; Name".
_CREDIT_SEPARATOR = re.compile(r"\s*/\s*|\s+via\s+|\s*[;,]\s*")
# In a labelled credit also "Name for The Times"; unlabelled, "Best for Active" is no credit.
_LABELLED_CREDIT_SEPARATOR = re.compile(rf"{_CREDIT_SEPARATOR.pattern}|\s+for\s+(?=[A-Z])")
_VIA = re.compile(r"\s+via\s+")
# Where an unlabelled credit may begin: after a sentence of the caption.
_SENTENCE_END = re.compile(r"[.!?\"')\]]\s+")
# "Courtesy of" in front of an owner's name.
_COURTESY = re.compile(r"courtesy\s+(?:of\s+)?", re.IGNORECASE)
# Lines that are not captions although they may precede a credit line.
_NOT_CAPTION = re.compile(r"(?:by|updated|published|posted|written)\b", re.IGNORECASE)
_TRAILING_CREDIT_REACH = 300  # an unlabelled credit is short: only the end of a long line is searched
_MAX_CREDIT_CHARS = 160
_MAX_CAPTION_CHARS = 800


_Maker = tuple[Piece, CreditRole, AgentKind]  # a name in a credit line, the role it gives, its kind


@dataclass(frozen=True)
class _Credit:
    """A credit line read from a line: where it is printed and what it names."""

    rule: str
    credit_line: Piece  # the credit line as printed, without its label or parentheses
    whole: Piece  # the credit with its label and parentheses, to where the photo's span ends
    makers: list[_Maker]


def _printed(original: str, piece: Piece) -> str:
    return original[piece.start : piece.end]


def read_credit(
    piece: Piece, *, maker_role: CreditRole = "photographer", labelled: bool = False
) -> list[_Maker] | None:
    """What a credit such as "Name/Agency via Getty Images, File" names; None if a part is no name."""
    makers: list[_Maker] = []
    for part in piece.split(_LABELLED_CREDIT_SEPARATOR if labelled else _CREDIT_SEPARATOR):
        courtesy = _COURTESY.match(part.text)
        name = clean_name(part.slice(courtesy.end()) if courtesy else part)
        if not name.text or all(bare_word(word) in CREDIT_DESCRIPTORS for word in name.text.split()):
            continue  # "File", "Handout", "Pool": about the picture, not its maker
        kind = agent_kind(name.text, agency_slot=True)
        if kind is None:
            return None
        role: CreditRole = "photo_credit" if kind == "organization" else maker_role
        makers.append((name, role, kind))
    return makers or None


def _agency_photo_credits(line: Piece) -> Iterator[_Credit]:
    for match in _AGENCY_PHOTO.finditer(line.text):
        agency = clean_name(line.slice(match.start("agency"), match.end("agency")))
        if not is_organization(agency.text, agency_slot=True):
            continue
        makers: list[_Maker] = [(agency, "photo_credit", "organization")]
        if match.group("makers"):
            named = read_credit(line.slice(match.start("makers"), match.end("makers")), labelled=True)
            if named is None:
                continue
            makers += named
        credit = line.slice(match.start("credit"), match.end("credit"))
        yield _Credit(RULE_AP_PHOTO, credit, line.slice(match.start(), match.end()), makers)


def _labelled_credits(line: Piece) -> Iterator[_Credit]:
    for match in _CREDIT_LABEL.finditer(line.text):
        before_start = max(0, match.start() - 8)  # only the last characters decide: a long line stays linear
        before = line.text[before_start : match.start()]
        if not match.group("label")[0].isupper() or not (match.start() == 0 or _BEFORE_LABEL.search(before)):
            continue
        opened = before.rstrip()[-1:]
        closing = {"(": ")", "[": "]"}.get(opened)
        end = line.text.find(closing, match.end(), match.end() + _MAX_CREDIT_CHARS + 1) if closing else -1
        if closing and end < 0:
            continue
        stop = end if closing else _end_of_segment(line.text, match.end())
        credit = line.slice(match.end(), stop).strip()
        if not credit.text or len(credit.text) > _MAX_CREDIT_CHARS:
            continue
        label = match.group("label").lower()
        maker_role: CreditRole = "illustrator" if "illustration" in label else "photographer"
        makers = read_credit(credit, maker_role=maker_role, labelled=True)
        if makers is None:
            continue
        rule = RULE_CREDIT_LABEL if "credit" in label else RULE_PHOTO_LABEL
        start = before_start + before.rstrip().rfind(opened) if closing else match.start()
        yield _Credit(rule, credit, line.slice(start, stop + 1 if closing else stop), makers)


def _end_of_segment(text: str, start: int) -> int:
    bar = text.find(" | ", start, start + _MAX_CREDIT_CHARS + 3)
    return len(text) if bar < 0 else bar


def _unlabelled_credit(line: Piece, *, after_caption: bool) -> _Credit | None:
    """A trailing "Org/ Name", "Name via Agency" or "Getty Images" that reads entirely as names."""
    credit = clean_name(line)
    if not credit.text or len(credit.text) > _MAX_CREDIT_CHARS:
        return None
    has_via = bool(_VIA.search(credit.text))
    makers = read_credit(credit)
    if makers is None:
        return None
    if has_via or "/" in credit.text:
        # Someone must own or distribute the picture: "Jane Doe/John Roe" may as well be a byline.
        if not any(kind == "organization" for _, _, kind in makers) or (len(makers) < 2 and not has_via):
            return None
        # On a line of its own, one part must be unmistakable: a person, or an organisation by its words
        # (menus print "EAT/DRINK" in capitals too).
        if not after_caption and not any(
            kind == "person" or has_organization_word(p.text) for p, _, kind in makers
        ):
            return None
        return _Credit(RULE_VIA if has_via else RULE_SLASH, credit, credit, makers)
    is_agency = (
        len(makers) == 1
        and makers[0][2] == "organization"
        and bare_word(credit.text.split()[-1]) in PHOTO_AGENCY_WORDS
        and len(credit.text.split()) > 1
    )
    return _Credit(RULE_AGENCY, credit, credit, makers) if is_agency else None


def _trailing_credit(line: Piece) -> tuple[Piece, _Credit] | None:
    """A credit at the end of a caption line: (the caption before it, the credit), earliest start first.

    The earliest sentence boundary after which the rest reads as a credit wins, so "... on Jan. 28, 2025.
    U.S. Department of Homeland Security/ Tia Dufour" keeps "U.S." in the credit.
    """
    reach = max(0, len(line.text) - _TRAILING_CREDIT_REACH)
    starts = [match.end() for match in _SENTENCE_END.finditer(line.text, reach)]
    if reach == 0:
        starts.insert(0, 0)
    for start in starts:
        credit = _unlabelled_credit(line.slice(start), after_caption=start > 0)
        if credit is not None:
            return line.slice(0, start).strip(), credit
    return None


def _caption_line(lines: list[Piece], index: int, excluded: set[int]) -> Piece | None:
    """The line before a credit line, when it reads as a caption (directly before it, not a byline)."""
    if index == 0 or index - 1 in excluded:
        return None
    previous = lines[index - 1].strip()
    words = len(previous.text.split())
    if words < 3 or len(previous.text) > _MAX_CAPTION_CHARS or _NOT_CAPTION.match(previous.text):
        return None
    if previous.text.endswith(":"):
        return None
    return previous


def _credits_in_line(line: Piece) -> list[tuple[Piece, _Credit]]:
    """(caption before it on the line, credit) for every credit line printed in this line."""
    found = sorted([*_agency_photo_credits(line), *_labelled_credits(line)], key=lambda c: c.whole.start)
    if not found:
        trailing = _trailing_credit(line)
        return [trailing] if trailing else []
    credits: list[tuple[Piece, _Credit]] = []
    caption_start = line.start
    for credit in found:
        if credit.whole.start < caption_start:
            continue  # overlaps the previous credit ("(AP Photo/...)" also reads as a label)
        caption = Piece(
            caption_start, line.text[caption_start - line.start : credit.whole.start - line.start]
        )
        credits.append((caption.strip(), credit))
        caption_start = credit.whole.end
    return credits


def find_photos(original: str, lines: list[Piece], excluded: set[int]) -> list[tuple[int, FoundPhoto]]:
    """Every captioned or credited photo, with the index of the line its credit is on.

    `excluded` lines (the title, repeated titles) are never read as captions or credit lines.
    """
    photos: list[tuple[int, FoundPhoto]] = []
    for index, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line.text or index in excluded:
            continue
        for caption, credit in _credits_in_line(line):
            caption_piece: Piece | None = caption if caption.text else _caption_line(lines, index, excluded)
            photos.append((index, _photo(original, caption_piece, credit)))
    return photos


def _photo(original: str, caption: Piece | None, credit: _Credit) -> FoundPhoto:
    credits = tuple(
        FoundCredit(
            name=_printed(original, name),
            role=role,
            kind=kind,
            rule=credit.rule,
            span=name.span,
        )
        for name, role, kind in credit.makers
    )
    start = caption.start if caption else credit.whole.start
    return FoundPhoto(
        caption=_printed(original, caption) if caption else None,
        credit=_printed(original, credit.credit_line),
        credits=credits,
        rule=credit.rule,
        span=Span(start, credit.whole.end),
    )
