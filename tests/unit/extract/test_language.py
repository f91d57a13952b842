"""Identifying the language of a document that declares none, judged on the corpus's pages in 26 languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.extract import extract_bytes
from archive.extract.html import extract_html
from archive.extract.language import RULE, detect_language
from tests.conftest import shared_path

NORWEGIAN = {"no", "nb", "nn"}


def _pages() -> list[tuple[Path, str]]:
    """(page, its ground truth's language) for every page of `news/` and `news-more/`."""
    pages = []
    for folder in ("news", "news-more"):
        for path in sorted(shared_path("corpus", folder).glob("*.html")):
            sidecar = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            pages.append((path, str(sidecar.get("language") or "en")))
    return pages


def test_every_corpus_language_is_identified_from_the_page_text() -> None:
    """Every fourth page of `news/` and `news-more/` (all 26 languages among them), its text as the
    extractor reads it, against the language its ground truth gives."""
    pages = _pages()[::4]
    assert len({language for _, language in pages}) >= 15
    answered = right = 0
    wrong: list[tuple[str, str, str]] = []
    for path, language in pages:
        found = detect_language(extract_html(path.read_bytes()).text)
        if found is None:
            continue
        answered += 1
        expected = language.split("-")[0]
        if found.value == expected or {found.value, expected} <= NORWEGIAN:
            right += 1
        else:
            wrong.append((path.stem, expected, found.value))
    assert answered >= 0.95 * len(pages)
    assert right >= 0.97 * answered, wrong


def test_too_little_text_is_not_guessed() -> None:
    assert detect_language(None) is None
    assert detect_language("") is None
    assert detect_language("Hello there") is None
    assert detect_language("12 345 678 — 9.10.2024, 11:00 · 42 %") is None


def test_a_plain_text_document_records_its_detected_language_and_where_it_came_from() -> None:
    text = (
        "El ayuntamiento aprobó el martes un nuevo plan de viviendas para las familias jóvenes de la "
        "ciudad, que empezará a construirse en primavera."
    )
    extraction = extract_bytes(text.encode(), "text/plain; charset=utf-8")
    assert extraction.language is not None
    assert (extraction.language.value, extraction.language.rule, extraction.language.field) == (
        "es",
        RULE,
        "text",
    )


@pytest.mark.parametrize("declared", ["fr", "en-GB"])
def test_a_declared_language_is_kept(declared: str) -> None:
    page = (
        f'<html lang="{declared}"><head><title>Ein Titel</title></head><body><article><h1>Ein Titel</h1>'
        "<p>Die Stadtverwaltung hat am Dienstag beschlossen, zahlreiche Wohnungen zu bauen.</p>"
        "</article></body></html>"
    )
    extraction = extract_bytes(page.encode(), "text/html")
    assert extraction.language is not None
    assert extraction.language.value == declared
    assert extraction.language.rule != RULE
