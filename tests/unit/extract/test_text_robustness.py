"""The plain-text extractor never fails and stays fast, whatever it is given."""

from __future__ import annotations

import random

import pytest

from archive.extract.model import Extraction
from archive.extract.text import extract_text
from tests.conftest import shared_path

SEED = shared_path("corpus", "seed")


def spans_are_within(extraction: Extraction) -> None:
    text = extraction.text
    assert text is not None
    spans = [c.span for c in extraction.credits] + [n.span for n in extraction.notices]
    spans += [p.span for p in extraction.photos] + [c.span for p in extraction.photos for c in p.credits]
    for span in spans:
        assert span is not None
        assert 0 <= span.start <= span.end <= len(text)
    for credit in extraction.credits:
        assert credit.span is not None
        assert text[credit.span.start : credit.span.end] == credit.name


def test_empty_text_gives_an_empty_extraction_with_a_problem() -> None:
    extraction = extract_text("")
    assert extraction.text == ""
    assert (extraction.title, extraction.credits, extraction.photos, extraction.notices) == (None, [], [], [])
    assert extraction.problems == ["the text is empty"]


@pytest.mark.parametrize(
    "text", [" ", "\n\n\r\n", "\u00a0\t\u2028", "x", "By", "Updated", "(AP Photo/", "/", "By ,"]
)
def test_tiny_texts(text: str) -> None:
    extraction = extract_text(text)
    assert extraction.text is text
    spans_are_within(extraction)


@pytest.mark.parametrize("seed", range(20))
def test_random_garbage_never_raises(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0, 0x250)] + list(
        "\n\r /|()\u00b7\u2022:;,.-\u2013\u2014\u2019\u201c\u201d"
    ) * 20
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5000)))
    spans_are_within(extract_text(text))


@pytest.mark.parametrize("seed", range(10))
def test_shuffled_article_words_never_raise(seed: int) -> None:
    rng = random.Random(seed)
    words = (SEED / "dhs-irs-deputize.txt").read_text(encoding="utf-8").split(" ")
    rng.shuffle(words)
    text = " ".join(words).replace(". ", ".\n", rng.randint(0, 40))
    spans_are_within(extract_text(text))


def test_binary_bytes_decoded_as_text() -> None:
    text = bytes(range(256)).decode("latin-1") * 50 + "\ufffd" * 1000
    spans_are_within(extract_text(text))


@pytest.mark.parametrize(
    "unit",
    [
        "Updated: Feb. 11, 2025, 4:05 p.m. ET\n",
        "(AP Photo/Jane Doe) ",
        "Photo: Jane Doe/Reuters ",
        "By Jane Doe and ",
        "Jane Doe and John Roe contributed to this report. ",
        "Reporting by Jane Doe; ",
        "Caption. Org/ Name. ",
        "1. 2. 3. ",
        "(((((",
    ],
)
def test_a_repeated_pattern(unit: str) -> None:
    text = unit * (200_000 // len(unit))
    spans_are_within(extract_text(text))


def test_labels_repeated_on_one_long_line() -> None:
    # Each label used to search or slice to the end of its line: quadratic, over 30 s on this megabyte.
    # Its speed is measured by the benchmarks, not asserted here.
    unit = "(Updated Updated figures Photo: x Credit: y By Jane Doe and Ann contributed to this report "
    text = unit * (1_000_000 // len(unit))
    spans_are_within(extract_text(text))


def test_two_megabytes_of_text() -> None:
    rng = random.Random(7)
    words = [
        "the",
        "council",
        "By",
        "Jane",
        "Doe",
        "Updated:",
        "Photo:",
        "Reuters",
        "AP",
        "/",
        "and",
        "2025",
        "said",
    ]
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(70_000)]
    text = "\n".join(lines)[: 2 * 1024 * 1024]
    spans_are_within(extract_text(text))


def test_two_megabytes_on_one_line() -> None:
    text = ("Jane Doe/Reuters said. " * 100_000)[: 2 * 1024 * 1024]
    spans_are_within(extract_text(text))


def test_a_100_kb_article() -> None:
    seed = (SEED / "dhs-irs-deputize.txt").read_text(encoding="utf-8")
    head, body = seed.split("0:00\n", 1)
    text = head + "0:00\n" + body * (100_000 // len(body) + 1)
    extraction = extract_text(text)
    assert len(text) > 100_000
    assert extraction.credits[0].name == "Samantha Flom"
    spans_are_within(extraction)
