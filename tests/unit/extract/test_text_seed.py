"""The plain-text extractor on the seed article and its revision: exactly what the archivist recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from archive.extract.model import Extraction
from archive.extract.text import extract_text
from tests.conftest import shared_path

SEED = shared_path("corpus", "seed")


def spans_are_exact(extraction: Extraction) -> None:
    """Every finding's span is exactly what it says was printed."""
    text = extraction.text
    assert text is not None
    for found in (extraction.title, extraction.subtitle):
        if found is not None:
            assert found.span is not None
            assert text[found.span.start : found.span.end] == found.value
    credits = list(extraction.credits) + [credit for photo in extraction.photos for credit in photo.credits]
    for credit in credits:
        assert credit.span is not None
        assert text[credit.span.start : credit.span.end] == credit.name
    for notice in extraction.notices:
        assert notice.span is not None
        assert text[notice.span.start : notice.span.end] == notice.text
    for photo in extraction.photos:
        assert photo.span is not None
        covered = text[photo.span.start : photo.span.end]
        assert photo.credit is not None
        assert photo.credit in covered
        if photo.caption is not None:
            assert covered.startswith(photo.caption)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return (SEED / "dhs-irs-deputize.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Extraction:
    return extract_text(seed_text)


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    data = json.loads((SEED / "dhs-irs-deputize.expected.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def revision() -> Extraction:
    return extract_text((SEED / "dhs-irs-deputize.v2.txt").read_text(encoding="utf-8"))


def test_the_text_is_kept_unchanged(seed: Extraction, seed_text: str) -> None:
    assert seed.text is seed_text
    assert seed.problems == []


def test_exactly_the_five_credits_of_the_seed(seed: Extraction) -> None:
    assert [(c.name, c.role, c.kind) for c in seed.credits] == [
        ("Samantha Flom", "author", "person"),
        ("Tom Ozimek", "contributor", "person"),
        ("Jack Phillips", "contributor", "person"),
        ("Tia Dufour", "photographer", "person"),
        ("U.S. Department of Homeland Security", "photo_credit", "organization"),
    ]


def test_credits_agree_with_the_archivists_record(seed: Extraction, expected: dict[str, object]) -> None:
    recorded = expected["credits"]
    assert isinstance(recorded, list)
    assert {(c["name"], c["role"], c["kind"]) for c in recorded} == {
        (c.name, c.role, c.kind) for c in seed.credits
    }


def test_the_rule_behind_each_credit(seed: Extraction) -> None:
    assert {c.name: c.rule for c in seed.credits} == {
        "Samantha Flom": "text.byline",
        "Tom Ozimek": "text.contributed_line",
        "Jack Phillips": "text.contributed_line",
        "Tia Dufour": "text.photo_credit.slash",
        "U.S. Department of Homeland Security": "text.photo_credit.slash",
    }


def test_the_author_keeps_the_bylines_span_not_the_author_box(seed: Extraction, seed_text: str) -> None:
    author = seed.credits[0]
    assert author.span is not None
    assert author.span.start == seed_text.index("Samantha Flom\nUpdated:")
    assert author.span.start < seed_text.index("contributed to this report")


def test_no_person_the_story_is_about_is_credited(seed: Extraction, expected: dict[str, object]) -> None:
    not_credits = expected["not_credits"]
    assert isinstance(not_credits, list)
    names = {c.name for c in seed.credits} | {c.name for p in seed.photos for c in p.credits}
    for name in not_credits:
        assert name not in names
    assert not any("Noem" in name or "Trump" in name or "Bessent" in name for name in names)


def test_title_and_standfirst(seed: Extraction, expected: dict[str, object]) -> None:
    assert seed.title is not None
    assert seed.subtitle is not None
    assert seed.title.value == expected["title"]
    assert seed.title.rule == "text.title"
    assert seed.title.span is not None
    assert seed.title.span.start == 0
    assert seed.subtitle.value == expected["subtitle"]
    assert seed.subtitle.rule == "text.standfirst"


def test_the_photo_with_its_caption_and_credit_line(seed: Extraction, expected: dict[str, object]) -> None:
    photos = expected["photos"]
    assert isinstance(photos, list)
    assert [(p.caption, p.credit) for p in seed.photos] == [(photos[0]["caption"], photos[0]["credit"])]
    photo = seed.photos[0]
    assert photo.rule == "text.photo_credit.slash"
    assert {(c.name, c.role, c.kind) for c in photo.credits} == {
        ("Tia Dufour", "photographer", "person"),
        ("U.S. Department of Homeland Security", "photo_credit", "organization"),
    }


def test_the_photo_credits_are_the_same_findings_in_the_document_list(seed: Extraction) -> None:
    document = {(c.name, c.role): c for c in seed.credits}
    for credit in seed.photos[0].credits:
        assert document[(credit.name, credit.role)] == credit


def test_one_update_notice_without_a_date(seed: Extraction, seed_text: str) -> None:
    assert len(seed.notices) == 1
    notice = seed.notices[0]
    assert (notice.kind, notice.text, notice.date, notice.rule) == (
        "updated",
        "Updated:",
        None,
        "text.notice.updated",
    )
    assert notice.span is not None
    assert seed_text[notice.span.end :].startswith("\n0:00")  # the player's clock is not read as a date


def test_no_published_date_is_invented(seed: Extraction) -> None:
    assert seed.published_at is None
    assert seed.modified_at is None


def test_every_span_of_the_seed_is_exact(seed: Extraction) -> None:
    spans_are_exact(seed)


def test_the_revisions_update_notice_has_its_instant_in_utc(revision: Extraction) -> None:
    updated = [n for n in revision.notices if n.rule == "text.notice.updated"]
    assert [(n.text, n.date) for n in updated] == [
        ("Updated: Feb. 11, 2025, 4:32 PM ET", datetime(2025, 2, 11, 21, 32, tzinfo=UTC))
    ]


def test_the_revisions_correction_line_is_a_correction(revision: Extraction) -> None:
    corrections = [n for n in revision.notices if n.kind == "corrected"]
    assert len(corrections) == 1
    correction = corrections[0]
    assert correction.text == (
        "This article was updated to correct the number of IRS criminal investigation agents "
        "cited in the memo."
    )
    assert correction.rule == "text.notice.updated_to"
    assert correction.date is None


def test_the_revision_keeps_the_same_credits_and_photo(revision: Extraction, seed: Extraction) -> None:
    assert [(c.name, c.role, c.kind) for c in revision.credits] == [
        (c.name, c.role, c.kind) for c in seed.credits
    ]
    assert [(p.caption, p.credit) for p in revision.photos] == [(p.caption, p.credit) for p in seed.photos]
    spans_are_exact(revision)


def test_windows_line_endings_read_the_same(seed_text: str, seed: Extraction) -> None:
    crlf = seed_text.replace("\n", "\r\n")
    extraction = extract_text(crlf)
    assert [(c.name, c.role, c.kind) for c in extraction.credits] == [
        (c.name, c.role, c.kind) for c in seed.credits
    ]
    assert extraction.title is not None
    assert seed.title is not None
    assert extraction.title.value == seed.title.value
    assert [(n.text, n.date) for n in extraction.notices] == [("Updated:", None)]
    spans_are_exact(extraction)


def test_a_byline_printed_with_a_no_break_space_is_returned_as_printed(seed_text: str) -> None:
    text = seed_text.replace("Samantha Flom\nUpdated", "Samantha\u00a0Flom\nUpdated")
    extraction = extract_text(text)
    author = extraction.credits[0]
    assert author.name == "Samantha\u00a0Flom"
    assert author.role == "author"
    # The author box prints the name with a plain space: one author, not two.
    assert [c.role for c in extraction.credits].count("author") == 1
