"""A snippet of a matching version: a few lines of its text around the first matched words, HTML-escaped,
with `<mark>` around each word of a matched phrase. Words are compared as the index compares them (folded,
stemmed in the version's language), so `running` marks `Runs` in an English text."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from archive.search.query import ParsedQuery
from archive.search.sqlite import phrase_forms
from archive.search.text import fold, snowball_language, stem, words

SNIPPET_WORDS = 36
LEAD_WORDS = 8
# How far into a text a matched word is looked for (past it, the snippet is the text's beginning).
SCANNED_CHARS = 60_000


@lru_cache(maxsize=65_536)
def _index_form(word: str, language: str | None) -> str:
    return stem(fold(word), language)


def snippet(text: str | None, language: str | None, query: ParsedQuery) -> str:
    """The snippet of `text` for `query` (the text's beginning when nothing in it matched)."""
    if not text:
        return ""
    snowball = snowball_language(language)
    tokens = list(words(text[:SCANNED_CHARS]))
    forms = [index_form.split() for index_form in _query_forms(query, snowball)]
    stems = [_index_form(token.group(), snowball) for token in tokens]
    marked: set[int] = set()
    for form in forms:
        size = len(form)
        for start in range(len(stems) - size + 1):
            if stems[start : start + size] == form:
                marked.update(range(start, start + size))
    if not tokens:
        return escape(text[:240])
    first = min(marked) if marked else 0
    begin = max(0, first - LEAD_WORDS)
    end = min(len(tokens), begin + SNIPPET_WORDS)
    return _render(text, tokens[begin:end], begin, marked, more=end < len(tokens))


def _query_forms(query: ParsedQuery, snowball: str | None) -> list[str]:
    return [form for phrase in query.phrases() for form in phrase_forms(phrase, [snowball, None])]


def _render(text: str, tokens: list[re.Match[str]], begin: int, marked: set[int], *, more: bool) -> str:
    parts = ["…" if begin > 0 else ""]
    position = tokens[0].start()
    for offset, token in enumerate(tokens):
        parts.append(escape(text[position : token.start()]))
        word = escape(token.group())
        parts.append(f"<mark>{word}</mark>" if begin + offset in marked else word)
        position = token.end()
    parts.append("…" if more else "")
    return " ".join("".join(parts).split())
