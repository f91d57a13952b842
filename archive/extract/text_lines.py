"""Pieces of a copied article's text that keep their offsets, and a copy of the text that is easy to match.

The rules match against `matchable(text)`: the same text with every typographic variant (curly quotes,
no-break and thin spaces, en and em dashes) replaced by its plain ASCII form, one character for one
character. Offsets into the copy are therefore offsets into the original, and every value is finally sliced
out of the original text, so that it is exactly what was printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.extract.model import Span

# One character for one character: the copy must keep every offset of the original.
_PLAIN_FORMS = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u200b": " ",  # zero-width space
        "\ufeff": " ",  # byte-order mark
        "\t": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
# What str.splitlines() breaks at, so that a text from any platform reads as the same lines.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# The end of a sentence, not after an initial ("Robert F. Bukaty") or a courtesy title ("Mr. Doe").
SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|No|vs))(?<!\bMrs)[.!?]+[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])"
)


def matchable(text: str) -> str:
    """The text with typographic variants in plain form, offsets unchanged."""
    return text.translate(_PLAIN_FORMS)


@dataclass(frozen=True)
class Piece:
    """A stretch of the matchable text: `text` begins at offset `start` of the document."""

    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def strip(self, chars: str | None = None) -> Piece:
        kept = self.text.lstrip(chars)
        return Piece(self.start + len(self.text) - len(kept), kept.rstrip(chars))

    def slice(self, begin: int, end: int | None = None) -> Piece:
        """The part from `begin` to `end` (offsets within this piece)."""
        return Piece(self.start + begin, self.text[begin:end])

    def split(self, separator: re.Pattern[str]) -> list[Piece]:
        """The non-blank parts between the separator's matches, stripped."""
        parts: list[Piece] = []
        position = 0
        for match in separator.finditer(self.text):
            parts.append(self.slice(position, match.start()))
            position = match.end()
        parts.append(self.slice(position))
        return [part.strip() for part in parts if part.text.strip()]


def split_lines(matchable_text: str) -> list[Piece]:
    """Every line of the text, blank ones included, without its line break."""
    lines: list[Piece] = []
    position = 0
    for match in _LINE_BREAK.finditer(matchable_text):
        lines.append(Piece(position, matchable_text[position : match.start()]))
        position = match.end()
    lines.append(Piece(position, matchable_text[position:]))
    return lines


def word_count(text: str) -> int:
    return len(text.split())
