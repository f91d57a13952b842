"""What people type, read into a small tree: every clause must match; a clause is one or more phrases of
which any may match (`OR`); excluded phrases must not match. A single word is a phrase of one word.

The reading is lenient and says what it set aside: an unclosed quote ends at the end of the query, an `OR`
with nothing on one side is a word no longer, punctuation and engine syntax (`*`, `:`, `NEAR`, `(`, `'`)
separate words and mean nothing. Engines render the tree in their own syntax with every word quoted or
bound, so no user text reaches a MATCH or a tsquery as syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.search.text import WORD

MAX_CLAUSES = 16
MAX_PHRASE_WORDS = 16
MAX_EXCLUDED = 8
MAX_ALTERNATIVES = 8
# A quoted phrase (its closing quote optional), or a run of anything but spaces and quotes.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S[^\s"]*)')


@dataclass(frozen=True)
class Phrase:
    """Words that must appear next to each other, in this order (as typed, not yet folded)."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """Phrases of which at least one must match."""

    alternatives: tuple[Phrase, ...]


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[Clause, ...] = ()
    excluded: tuple[Phrase, ...] = ()
    problems: tuple[str, ...] = field(default=())
    """What was set aside while reading, said back to the person who typed it."""

    @property
    def empty(self) -> bool:
        return not self.required

    def phrases(self) -> list[Phrase]:
        """Every phrase that a matching document contains (for snippets)."""
        return [phrase for clause in self.required for phrase in clause.alternatives]


@dataclass
class _Reading:
    clauses: list[list[Phrase]] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    joining: bool = False  # an OR was read: the next phrase joins the last clause

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)


def parse_query(text: str) -> ParsedQuery:
    """Read a query typed web-search style: `word`, `"a phrase"`, `-excluded`, `a OR b`."""
    reading = _Reading()
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            if reading.clauses and not reading.joining:
                reading.joining = True
            else:
                reading.note("an OR with nothing before it was read as nothing")
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        _read_phrase(reading, quoted if quoted is not None else bare or "", excluded=bool(negated))
    if reading.joining:
        reading.note("an OR with nothing after it was read as nothing")
    if not reading.clauses:
        reading.note("the query has no word to look for" + (" (only exclusions)" if reading.excluded else ""))
    return ParsedQuery(
        required=tuple(Clause(tuple(clause)) for clause in reading.clauses),
        excluded=tuple(reading.excluded),
        problems=tuple(reading.problems),
    )


def _read_phrase(reading: _Reading, raw: str, *, excluded: bool) -> None:
    found = [match.group() for match in WORD.finditer(raw)]
    if not found:
        reading.joining = False
        return
    if len(found) > MAX_PHRASE_WORDS:
        reading.note(f"a phrase is read up to its {MAX_PHRASE_WORDS}th word")
        found = found[:MAX_PHRASE_WORDS]
    phrase = Phrase(tuple(found))
    if excluded:
        if len(reading.excluded) < MAX_EXCLUDED:
            reading.excluded.append(phrase)
        else:
            reading.note(f"at most {MAX_EXCLUDED} exclusions are read")
    elif reading.joining:
        if len(reading.clauses[-1]) < MAX_ALTERNATIVES:
            reading.clauses[-1].append(phrase)
        else:
            reading.note(f"at most {MAX_ALTERNATIVES} alternatives of one word are read")
    elif len(reading.clauses) < MAX_CLAUSES:
        reading.clauses.append([phrase])
    else:
        reading.note(f"at most {MAX_CLAUSES} words or phrases are read")
    reading.joining = False
