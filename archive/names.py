"""Names of people and organisations, normalised for matching (case, accents, punctuation, spacing)."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """`"Zoë  O'Brien-Smith"` -> `"zoe o brien smith"`: what two spellings of one name share.

    Transliterated to ASCII (so `Łukasz` matches `Lukasz`), lower-cased, every run of punctuation and
    space made one space.
    """
    ascii_name = anyascii(unicodedata.normalize("NFKC", name)).lower()
    return _NOT_WORD.sub(" ", ascii_name).strip()
