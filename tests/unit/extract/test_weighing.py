"""Choosing among candidates by fitted weights: the fit learns what separates right from wrong, the choice
takes the best score, and the shipped weights load with no download."""

from __future__ import annotations

from archive.extract.weighing import Candidate, Example, choose, fit, weights_for


def test_the_fit_learns_which_feature_marks_the_right_candidate() -> None:
    examples = [
        Example([{"src:good": 1.0, "noise": 1.0}, {"src:bad": 1.0}], frozenset({0})),
        Example([{"src:bad": 1.0, "noise": 1.0}, {"src:good": 1.0}], frozenset({1})),
        Example([{"src:good": 1.0}, {"src:bad": 1.0}, {"noise": 1.0}], frozenset({0})),
    ]

    weights = fit(examples)

    assert weights["src:good"] > 0 > weights["src:bad"]
    assert abs(weights["noise"]) < weights["src:good"]
    assert fit(examples) == weights  # deterministic


def test_pages_with_no_right_candidate_teach_nothing() -> None:
    weights = fit([Example([{"a": 1.0}, {"b": 1.0}], frozenset())])

    assert weights == {}


def test_the_best_score_wins_and_ties_keep_the_sources_order() -> None:
    first = Candidate("first", "rule.one", {"x": 1.0})
    second = Candidate("second", "rule.two", {"x": 1.0})
    better = Candidate("better", "rule.three", {"x": 1.0, "y": 1.0})

    assert choose([first, second], {"x": 1.0}) is first
    assert choose([first, second, better], {"x": 1.0, "y": 0.5}) is better
    assert choose([], {"x": 1.0}) is None


def test_the_shipped_title_weights_load() -> None:
    weights = weights_for("title")

    assert weights["src:schema_headline"] > 0
    assert weights["agreement"] > 0
    assert weights_for("no such field") == {}


def test_a_title_carries_which_pairs_of_sources_agree_on_it() -> None:
    from archive.extract.html_sources import decode_html, read_sources  # noqa: PLC0415
    from archive.extract.html_titles import title_candidates  # noqa: PLC0415

    page = (
        "<html><head><title>Cranes return to the harbour | Example News</title>"
        '<meta property="og:title" content="Cranes return">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
        '"headline": "Cranes return to the harbour"}</script></head>'
        "<body><article><h1>Cranes return to the harbour</h1><p>Text.</p></article></body></html>"
    )
    candidates = title_candidates(read_sources(decode_html(page.encode()), None), ["Example News"])
    headline = next(c for c in candidates if c.value == "Cranes return to the harbour")
    social = next(c for c in candidates if c.value == "Cranes return")
    assert {"pair:schema_headline+h1_first", "pair:h1_first+title_tag"} <= set(headline.features)
    assert not any(name.startswith("pair:") and "h1_first" in name for name in social.features)
