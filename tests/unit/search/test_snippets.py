"""Snippets: escaped text, matched word forms marked, around the first match."""

from __future__ import annotations

from archive.search.query import parse_query
from archive.search.snippets import snippet


def test_marks_word_forms_and_escapes_the_rest() -> None:
    text = "Intro <b>bold</b> & more. The runners kept running while it ran."
    marked = snippet(text, "en", parse_query("run"))
    assert "<mark>running</mark>" in marked
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in marked and "<b>" not in marked


def test_phrases_are_marked_only_whole() -> None:
    text = "The mayor visited. Later the mayor spoke at length, and nobody else spoke."
    marked = snippet(text, "en", parse_query('"mayor spoke"'))
    assert marked.count("<mark>") == 2 and "the <mark>mayor</mark> <mark>spoke</mark> at" in marked


def test_a_long_text_is_cut_around_the_first_match() -> None:
    text = " ".join(f"filler{n}" for n in range(500)) + " Zeppelins landed. " + " ".join(["tail"] * 100)
    marked = snippet(text, None, parse_query("zeppelins"))
    assert marked.startswith("…") and marked.endswith("…") and "<mark>Zeppelins</mark>" in marked
    assert len(marked.split()) <= 40


def test_accents_fold_and_an_empty_text_has_no_snippet() -> None:
    assert "<mark>Élysée</mark>" in snippet("Au palais de l'Élysée.", "fr", parse_query("elysee"))
    assert snippet(None, "en", parse_query("x")) == ""
