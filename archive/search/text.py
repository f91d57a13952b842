"""Words as the index sees them: split, case- and accent-folded, and stemmed in the document's language.

Both engines index folded words (PostgreSQL's `unaccent` is an extension that a managed database may not
offer, so accents are folded here, before the text reaches either). SQLite FTS5 has no stemmer for other
languages than English, so its words are stemmed here too, by the Snowball stemmers (PyStemmer); PostgreSQL
stems with its own Snowball dictionaries, chosen by the version's language.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator

import Stemmer

# ISO 639-1 code → the Snowball algorithm (and the PostgreSQL dictionary) of that language.
SNOWBALL_LANGUAGES = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
STEMMED_LANGUAGES = tuple(sorted(set(SNOWBALL_LANGUAGES.values())))
# A word: letters, digits and marks (so that a decomposed accent stays with its letter).
WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*")
MAX_WORD_CHARS = 64
# Of a long text, the first this many characters are indexed (a PostgreSQL tsvector holds at most 1 MB).
MAX_INDEXED_CHARS = 200_000

_stemmers = threading.local()


def snowball_language(language: str | None) -> str | None:
    """The Snowball language of a BCP 47 tag (`en-GB` → `english`); None when unknown or unsupported."""
    if not language:
        return None
    return SNOWBALL_LANGUAGES.get(language.split("-", 1)[0].split("_", 1)[0].lower())


# Every combining mark (accents, and the like in other scripts), dropped by `str.translate`. Marks are never
# ASCII, so only the text's runs of other characters are looked at: one character class of every mark's
# ranges made the regular expression engine test each character of a page against hundreds of ranges
# (~1 ms for a 4 KB article, most of indexing it).
_MARKS = {code: None for code in range(0x30000) if unicodedata.combining(chr(code))}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return run.group().translate(_MARKS)


def fold_text(text: str) -> str:
    """Case- and accent-folded: `Élysée` → `elysee`, `Straße` → `strasse`."""
    if text.isascii():
        return text.lower()
    return _NOT_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", text.casefold()))


def fold(word: str) -> str:
    """A word folded (`fold_text`), at most `MAX_WORD_CHARS` long."""
    return fold_text(word)[:MAX_WORD_CHARS]


def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmers: dict[str, Stemmer.Stemmer] = _stemmers.__dict__.setdefault("by_language", {})
    stemmer = stemmers.get(language)
    if stemmer is None:  # a stemmer is not safe to share between threads: one per thread and language
        stemmer = stemmers[language] = Stemmer.Stemmer(language)
    return stemmer


def stem(folded: str, language: str | None) -> str:
    """The stem of a folded word in a Snowball language (the word itself when there is none)."""
    if language is None:
        return folded
    return str(_stemmer(language).stemWord(folded))


def words(text: str) -> Iterator[re.Match[str]]:
    """Each word of a text, with its place (for snippets)."""
    return WORD.finditer(text[:MAX_INDEXED_CHARS])


def _folded_words(text: str) -> list[str]:
    return [word[:MAX_WORD_CHARS] for word in WORD.findall(fold_text(text[:MAX_INDEXED_CHARS]))]


def folded_text(text: str | None) -> str:
    """The text's words, folded, one space apart: what PostgreSQL's stemmers are given."""
    return " ".join(_folded_words(text)) if text else ""


def stemmed_text(text: str | None, language: str | None) -> str:
    """The text's words, folded and stemmed in `language` (a Snowball name), one space apart: what FTS5
    indexes (the whole text folded at once, and its words stemmed in one call)."""
    if not text:
        return ""
    folded = _folded_words(text)
    return " ".join(_stemmer(language).stemWords(folded) if language is not None else folded)
