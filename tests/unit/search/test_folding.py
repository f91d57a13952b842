"""Folding drops exactly the combining marks, wherever they stand, and nothing else."""

from __future__ import annotations

import random
import re
import unicodedata

from archive.search.text import fold_text


def _marks_removed(text: str) -> str:
    """What folding must give: the text case-folded, decomposed, every combining mark removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def test_accents_and_ligatures_fold() -> None:
    assert fold_text("Élysée Straße café naïve Ångström ǅ ﬁ") == "elysee strasse cafe naive angstrom dz fi"


def test_marks_of_every_script_are_dropped_and_nothing_else() -> None:
    alphabet = [chr(code) for code in range(0x30000) if unicodedata.category(chr(code)) != "Cs"]
    marks = [char for char in alphabet if unicodedata.combining(char)]
    chosen = random.Random(17)
    for _ in range(300):
        pieces = chosen.choices(alphabet, k=20) + chosen.choices(marks, k=10) + list("plain words ")
        chosen.shuffle(pieces)
        text = "".join(pieces)
        assert fold_text(text) == _marks_removed(text)


def test_ascii_is_lowered_only() -> None:
    assert fold_text("The IRS, Deputized: 2026") == "the irs, deputized: 2026"
    assert re.fullmatch(r"[ -~]*", fold_text("Plain ASCII text"))
