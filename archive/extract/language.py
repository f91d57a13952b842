"""The language of a document that does not declare one (plain text, most PDFs), identified from its text.

`py3langid` (a maintained fork of langid.py: a naive Bayes model over byte n-grams for 97 languages, shipped
inside the package, so nothing is downloaded) reads the first `SAMPLE_CHARACTERS` of the text. A language is
recorded only when the text is long enough to judge (`MIN_LETTERS`) and the model is confident
(`MIN_PROBABILITY`); otherwise the field stays empty rather than guessed. The value says where it came from:
rule `detected.py3langid`, field `text`, so that a reader tells a detected language from a declared one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from archive.extract.model import Found

RULE = "detected.py3langid"
SAMPLE_CHARACTERS = 20_000
MIN_LETTERS = 40
MIN_PROBABILITY = 0.9


@cache
def _identifier() -> Any:
    """The model, loaded once per process (about half a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415  (loaded on first use)

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str | None) -> Found | None:
    """The text's language as an ISO 639-1 code (`de`, `ja`, `zu`), or None when the text is too short or
    the model is not confident."""
    if not text:
        return None
    sample = text[:SAMPLE_CHARACTERS]
    if sum(character.isalpha() for character in sample) < MIN_LETTERS:
        return None
    language, probability = _identifier().classify(sample)
    if float(probability) < MIN_PROBABILITY:
        return None
    return Found(str(language), RULE, field="text")
