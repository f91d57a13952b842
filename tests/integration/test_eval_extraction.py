"""The extraction scorer over the shared news corpus: the extractor meets its targets, beats each source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive.extract.html import extract_html
from archive.extract.model import FoundNotice, FoundPhoto
from tests.conftest import scorer_report, shared_path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = shared_path("corpus")
NEWS = shared_path("corpus", "news")
SCRIPT = ROOT / "scripts" / "eval_extraction"

TARGETS = {"author_f1": 0.95, "title_exact": 0.95, "published_day": 0.97, "photo_credit_recall": 0.85}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return scorer_report(SCRIPT, CORPUS)


def test_every_page_is_scored(report: dict[str, Any]) -> None:
    assert report["documents"] == 31
    assert report["credited_images"] == 114


@pytest.mark.parametrize(("field", "target"), sorted(TARGETS.items()))
def test_extractor_meets_its_target(report: dict[str, Any], field: str, target: float) -> None:
    assert report["figures"]["extractor"][field] >= target, report["misses"]


@pytest.mark.parametrize("field", sorted(TARGETS))
def test_extractor_beats_every_single_source(report: dict[str, Any], field: str) -> None:
    ours = report["figures"]["extractor"][field]
    for source, figures in report["figures"].items():
        if source != "extractor" and figures[field] is not None:
            assert ours > figures[field], f"{source} scores {figures[field]} on {field}, the extractor {ours}"


def test_author_precision_stays_high(report: dict[str, Any]) -> None:
    # Recall can be bought with junk names; precision is what keeps an archive's credits trustworthy.
    assert report["figures"]["extractor"]["author_precision"] >= 0.95


def test_every_span_reads_its_value_in_the_text() -> None:
    for page in sorted(NEWS.glob("*.html")):
        extraction = extract_html(page.read_bytes())
        text = extraction.text or ""
        for credit in extraction.credits + [c for photo in extraction.photos for c in photo.credits]:
            if credit.span is not None:
                assert text[credit.span.start : credit.span.end] == credit.name, (page.name, credit)
        findings: list[FoundPhoto | FoundNotice] = [*extraction.photos, *extraction.notices]
        for finding in findings:
            if finding.span is not None:
                assert finding.span.end <= len(text), (page.name, finding)
        assert not extraction.problems, (page.name, extraction.problems)
