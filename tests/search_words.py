"""Words for search tests to look for."""

from __future__ import annotations

import re


def longest_word(text: str) -> str:
    """The longest word of a text (letters only), the first of equals."""
    words: list[str] = re.findall(r"[^\W\d_]+", text)
    return max(words, key=len)
