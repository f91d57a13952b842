"""A snippet of a matching version: a few lines of its text around the first matched words, HTML-escaped,
with `<mark>` around each word of a matched phrase. Words are compared as the index compares them (folded,
stemmed in the version's language), so `running` marks `Runs` in an English text."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from archive.search.filters import SNIPPET_SOURCE_CHARS
from archive.search.query import MAX_PHRASE_WORDS, ParsedQuery
from archive.search.sqlite import phrase_forms
from archive.search.text import fold, snowball_language, stem, words

SNIPPET_WORDS = 36
LEAD_WORDS = 8
# How far into a text a matched word is looked for (past it, the snippet is the text's beginning).
SCANNED_CHARS = SNIPPET_SOURCE_CHARS


@lru_cache(maxsize=65_536)
def _index_form(word: str, language: str | None) -> str:
    return stem(fold(word), language)


def snippet(text: str | None, language: str | None, query: ParsedQuery) -> str:
    """The snippet of `text` for `query` (the text's beginning when nothing in it matched)."""
    if not text:
        return ""
    snowball = snowball_language(language)
    tokens = list(words(text[:SCANNED_CHARS]))
    if not tokens:
        return escape(text[:240])
    forms = [form.split() for form in _query_forms(query, snowball)]
    first = _first_match(tokens, forms, snowball)
    begin = max(0, (first or 0) - LEAD_WORDS)
    end = min(len(tokens), begin + SNIPPET_WORDS)
    # Words are compared from the window's start, so that a phrase begun before it is not marked in part.
    window = [_index_form(token.group(), snowball) for token in tokens[begin:end]]
    marked = {begin + offset for offset in _matched(window, forms)}
    return _render(text, tokens[begin:end], begin, marked, more=end < len(tokens))


def _first_match(tokens: list[re.Match[str]], forms: list[list[str]], snowball: str | None) -> int | None:
    """Where the first matched phrase starts (words are stemmed only as far as that)."""
    firsts = {form[0] for form in forms if form}
    for position, token in enumerate(tokens):
        if _index_form(token.group(), snowball) not in firsts:
            continue
        following = [_index_form(t.group(), snowball) for t in tokens[position : position + MAX_PHRASE_WORDS]]
        if any(following[: len(form)] == form for form in forms):
            return position
    return None


def _matched(stems: list[str], forms: list[list[str]]) -> set[int]:
    marked: set[int] = set()
    for form in forms:
        size = len(form)
        for start in range(len(stems) - size + 1):
            if stems[start : start + size] == form:
                marked.update(range(start, start + size))
    return marked


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
