"""The extraction scorer over the shared news corpus (news/ and news-more/): the extractor holds its floors,
leaving each publisher out of the fit, and beats every single source."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from archive.extract.html import author_candidate_lists, extract_html
from archive.extract.html_sources import decode_html, read_sources
from archive.extract.model import FoundNotice, FoundPhoto
from tests.conftest import run_script, scorer_report, shared_path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = shared_path("corpus")
NEWS = shared_path("corpus", "news")
SCRIPT = ROOT / "scripts" / "eval_extraction"

FIT = ROOT / "scripts" / "fit_extraction"
LOPO = "extractor (lopo)"

# The figures measured when these floors were set, less at most 0.02: a drop below one is a regression.
# Development pages are scored leaving each page's publisher out of the fit; held-out publishers were set
# aside before any of their pages was read.
FLOORS = {
    ("development", LOPO): {
        "title_exact": 0.875,
        "author_f1": 0.905,
        "author_precision": 0.92,
        "published_day": 0.97,
        "photo_credit_recall": 0.92,
        "photo_credit_precision": 0.755,
        "photo_credit_precision_checked": 0.955,
    },
    ("news", "extractor"): {
        "title_exact": 0.91,
        "author_f1": 0.98,
        "published_day": 0.98,
        "photo_credit_recall": 0.98,
        "photo_credit_precision": 0.94,
    },
    ("held out", "extractor"): {
        "title_exact": 0.93,
        "author_f1": 0.84,
        "published_day": 0.93,
        "photo_credit_recall": 0.72,
        # Not checked by hand (nobody reads these pages), so a printed credit the ground truth lacks counts
        # as wrong: on the development pages, the credits the rules of revision 9 added beyond the ground
        # truth were all printed ones (0.974 -> 0.975 checked), while this raw figure fell 0.792 -> 0.690.
        "photo_credit_precision": 0.67,
    },
}
BEATS_EVERY_SOURCE = ("title_exact", "author_f1", "published_day")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return scorer_report(SCRIPT, CORPUS)


def test_every_page_is_scored(report: dict[str, Any]) -> None:
    assert report["documents"] == 227
    assert report["held_out_documents"] == 21
    assert report["groups"]["development"] == 206
    assert report["groups"]["news"] == 31
    assert report["groups"]["language de"] >= 90
    assert report["seconds_per_page"]["median"] > 0


@pytest.mark.parametrize(
    ("group", "source", "field", "floor"),
    [
        (group, source, field, floor)
        for (group, source), fields in FLOORS.items()
        for field, floor in fields.items()
    ],
)
def test_figures_hold_their_floors(
    report: dict[str, Any], group: str, source: str, field: str, floor: float
) -> None:
    assert report["figures"][group][source][field] >= floor, report["misses"]


@pytest.mark.parametrize("field", BEATS_EVERY_SOURCE)
def test_extractor_beats_every_single_source(report: dict[str, Any], field: str) -> None:
    for group in ("development", "held out"):
        ours = report["figures"][group][LOPO][field]
        for source, figures in report["figures"][group].items():
            if source in ("extractor", LOPO) or figures[field] is None:
                continue
            if group == "development":
                assert ours > figures[field], (
                    f"{group}: {source} scores {figures[field]} on {field}, we {ours}"
                )
            else:  # 21 pages: one page is 0.05, so a tie is as close as the figure can tell
                assert ours >= figures[field], (
                    f"{group}: {source} scores {figures[field]} on {field}, we {ours}"
                )


def test_the_seed_article_stays_exact(report: dict[str, Any]) -> None:
    seed = report["seed"]
    assert seed["title"] is True
    assert (seed["credits_found"], seed["credits_expected"], seed["credits_extra"]) == (5, 5, [])
    assert (seed["photo_credits_found"], seed["notices"]) == (1, 1)


def test_the_shipped_weights_are_what_the_development_pages_give() -> None:
    completed = run_script(FIT, "--check", "--corpus", str(CORPUS))
    assert completed.returncode == 0, completed.stdout + completed.stderr


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


def test_contributors_and_last_modified_hold_on_the_pages_annotated_by_hand(report: dict[str, Any]) -> None:
    annotated = report["annotated"]
    assert annotated["pages"] >= 40
    assert annotated["contributors_expected"] >= 10
    assert annotated["contributor_recall"] >= 0.98
    assert annotated["contributor_precision"] >= 0.98
    modified = annotated["modified_minute"]
    assert modified["extractor"] >= 0.91
    assert modified["extractor"] > max(modified["jsonld"], modified["opengraph"]), annotated["misses"]


def test_a_pages_credits_do_not_depend_on_what_was_read_before() -> None:
    """One page's author candidates are the same on their own and after many other pages were read (a
    source once remembered lxml elements by id(), which Python reuses, and so skipped lines depending on
    history: the fitted weights then changed from run to run)."""

    def candidates(path: Path) -> list[list[str]]:
        sources = read_sources(decode_html(path.read_bytes()), None)
        return [[candidate.name for candidate in found] for found in author_candidate_lists(sources)]

    target = CORPUS / "news-more" / "tz-02_HabariLeo_2025_01_23.html"
    alone = candidates(target)
    for page in sorted((CORPUS / "news-more").glob("*.html"))[:80]:
        candidates(page)
    assert candidates(target) == alone
    assert ["NEW YORK", "Marekani"] in alone  # the line the skipped element held


def test_every_hand_check_names_a_development_page_and_shows_its_evidence() -> None:
    """`tests/data/photo_checks.json`: each photo credit the ground truth lacks was checked by hand on a
    development page (held-out pages are never read), with a verdict, a reason and the markup seen."""
    checks = json.loads((ROOT / "tests" / "data" / "photo_checks.json").read_text(encoding="utf-8"))
    pages = {
        path.stem: folder for folder in ("news", "news-more") for path in (CORPUS / folder).glob("*.html")
    }
    assert len(checks["photos"]) >= 100
    for check in checks["photos"]:
        assert check["page"] in pages
        publisher = check["page"].split("_")[1]
        held_out = hashlib.sha256(publisher.encode()).digest()[0] < 0x18  # scripts/extraction_corpus.py
        assert not (pages[check["page"]] == "news-more" and held_out)
        assert check["verdict"] in ("printed", "wrong")
        assert check["reason"] and check["evidence"] and len(check["evidence"]) <= 300
