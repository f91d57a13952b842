"""The byline a paper or report prints under its title on page 1: the names on the lines right after the
title (continuing over lines that end with a comma), each with its span in the text.

Footnote marks after a name that tie an author to an affiliation (asterisks, `+`, `#`, `$`, daggers,
digits) are not part of the name. Every item of a line must be a name for the line to be a byline, so a
subtitle, an abstract heading or a date is never read as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.extract.model import Found, FoundCredit
from archive.extract.placeholders import is_placeholder
from archive.extract.text_lines import Piece, matchable, split_lines
from archive.extract.text_names import ListedName, agent_kind, clean_name, split_name_list

RULE = "pdf.byline"
RULE_TITLE = "pdf.printed_title"
TITLE_ROWS = 4  # a title runs over this many lines at most
BYLINE_GAP = 2  # lines between the title and its byline (a subtitle, a line of a wrapped title)
_MARKS = "\u2217*+#$\u2020\u2021\u00a7\u00b6\u00b9\u00b2\u00b30123456789 "
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Byline:
    credits: list[FoundCredit]
    title: Found | None  # the lines above the byline, when no title was known: the printed title


def printed_byline(text: str, title: str | None, *, organisations: bool = False) -> Byline:
    """The byline under the title: people's names only, unless `organisations` (a line naming an
    organisation alone is then read too: `The LaTeX Team`)."""
    rows = [line for line in split_lines(matchable(text)) if line.text.strip()]
    after = _after_title(rows, title)
    for offset, row in enumerate(rows[after : after + BYLINE_GAP + 1]):
        names = _names(row, organisations)
        if names:
            above = rows[: after + offset] if title is None and after + offset <= TITLE_ROWS else []
            return Byline(
                _continued(names, rows[after + offset + 1 :], row, text), _printed_title(above, text)
            )
    return Byline([], None)


def _printed_title(rows: list[Piece], text: str) -> Found | None:
    if not rows:
        return None
    value = " ".join(" ".join(text[row.start : row.end].split()) for row in rows)
    if is_placeholder(value):
        return None
    span = rows[0].span if len(rows) == 1 else None  # a title over several lines has no one span
    return Found(value, RULE_TITLE, span)


def _after_title(rows: list[Piece], title: str | None) -> int:
    """The index of the first row after the title: the rows the title's words fill (the first row when
    the title is unknown or not printed)."""
    wanted = _WORDS.findall(title.casefold()) if title else []
    if wanted:
        for start in range(min(len(rows), TITLE_ROWS)):
            seen: list[str] = []
            for end in range(start, min(len(rows), start + TITLE_ROWS)):
                seen += _WORDS.findall(rows[end].text.casefold())
                if seen == wanted:
                    return end + 1
                if seen != wanted[: len(seen)]:
                    break
    return 1


def _continued(first: list[ListedName], rest: list[Piece], row: Piece, text: str) -> list[FoundCredit]:
    names = list(first)
    while row.text.rstrip().endswith(",") and rest:
        row, rest = rest[0], rest[1:]
        more = _names(row, organisations=False)
        if not more:
            break
        names += more
    return [
        FoundCredit(text[n.piece.start : n.piece.end], "author", n.kind, RULE, n.piece.span) for n in names
    ]


def _names(row: Piece, organisations: bool) -> list[ListedName]:
    """The row's people (or its one organisation), or [] unless every item of it is one."""
    names: list[ListedName] = []
    items = split_name_list(row.strip().strip(","))
    for item in items:
        name = clean_name(item.slice(0, len(item.text.rstrip(_MARKS))))
        kind = agent_kind(name.text) if name.text and not is_placeholder(name.text) else None
        if kind is None or (kind != "person" and not (organisations and len(items) == 1)):
            return []
        names.append(ListedName(name, kind))
    return names
