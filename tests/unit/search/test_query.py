"""Reading what people type, and rendering it for each engine with every word quoted or bound."""

from __future__ import annotations

import pytest

from archive.search.query import MAX_CLAUSES, Clause, Phrase, parse_query
from archive.search.sqlite import render_match
from archive.search.text import fold, snowball_language, stem, stemmed_text


def test_words_phrases_exclusions_and_or() -> None:
    parsed = parse_query('council "the mayor spoke" -harbour -"fish market" parks OR gardens')
    assert parsed.required == (
        Clause((Phrase(("council",)),)),
        Clause((Phrase(("the", "mayor", "spoke")),)),
        Clause((Phrase(("parks",)), Phrase(("gardens",)))),
    )
    assert parsed.excluded == (Phrase(("harbour",)), Phrase(("fish", "market")))
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "the query has no word to look for"),
        ("-alone", "the query has no word to look for (only exclusions)"),
        ("OR mayor", "an OR with nothing before it was read as nothing"),
        ("mayor OR", "an OR with nothing after it was read as nothing"),
        ("*** ::: ((", "the query has no word to look for"),
    ],
)
def test_what_is_set_aside_is_said(typed: str, problem: str) -> None:
    assert problem in parse_query(typed).problems


def test_unbalanced_quotes_and_syntax_characters_are_words_apart() -> None:
    assert parse_query('"mayor spoke').required == (Clause((Phrase(("mayor", "spoke")),)),)
    assert parse_query("e-mail").required == (Clause((Phrase(("e", "mail")),)),)
    assert parse_query('title:gardens NEAR(a b) c* "x" AND').required == (
        Clause((Phrase(("title", "gardens")),)),
        Clause((Phrase(("NEAR", "a")),)),
        Clause((Phrase(("b",)),)),
        Clause((Phrase(("c",)),)),
        Clause((Phrase(("x",)),)),
        Clause((Phrase(("AND",)),)),
    )


def test_long_queries_are_bounded() -> None:
    parsed = parse_query(" ".join(f"word{n}" for n in range(100)))
    assert len(parsed.required) == MAX_CLAUSES and parsed.problems


def test_the_fts5_expression_quotes_every_form() -> None:
    match = render_match(parse_query('Running "the Mayor" -NEAR -x OR'), ["english", None])
    assert match == '((("run" OR "running")) AND (("the mayor"))) NOT (("near") OR ("x"))'
    hostile = render_match(parse_query('a" OR b) AND c*'), [None])
    assert hostile == '(("a")) AND (("or b and c"))'  # the unclosed quote runs to the end


def test_folding_and_stemming() -> None:
    assert fold("Élysée") == "elysee" and fold("STRASSE") == fold("Straße")
    assert snowball_language("de-AT") == "german" and snowball_language("xx") is None
    assert stem(fold("Häuser"), "german") == stem("haus", "german")
    assert stemmed_text("Les élections présidentielles", "french") == "le elect presidentiel"
