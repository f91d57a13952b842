"""Merging supplied metadata with extracted findings: supplied wins, the rest is kept with its evidence."""

from __future__ import annotations

from datetime import UTC, datetime

from archive.extract.model import Extraction, Found, FoundCredit, FoundDate, FoundPhoto, Span
from archive.services.attribution import merge
from archive.services.metadata import SuppliedMetadata, parse_metadata

TEXT = "Headline\nBy Jane Doe\nCaption. Agency/ Pat Lee\nBody."


def extraction() -> Extraction:
    jane = FoundCredit("Jane Doe", "author", "person", "text.byline", Span(12, 20))
    pat = FoundCredit("Pat Lee", "photographer", "person", "text.photo_credit.slash", Span(38, 45))
    agency = FoundCredit("Agency", "photo_credit", "organization", "text.photo_credit.slash", Span(30, 36))
    return Extraction(
        text=TEXT,
        title=Found("Headline", "text.title", Span(0, 8)),
        published_at=FoundDate(datetime(2025, 1, 2, tzinfo=UTC), "jsonld.datePublished"),
        credits=[jane, agency, pat],
        photos=[FoundPhoto("Caption.", "Agency/ Pat Lee", (agency, pat), "text.photo_caption", Span(21, 45))],
    )


def metadata(raw: str) -> SuppliedMetadata:
    return parse_metadata(raw, 65536)


def test_spans_in_the_fixture_are_honest() -> None:
    for credit in extraction().credits:
        assert credit.span is not None
        assert TEXT[credit.span.start : credit.span.end] == credit.name


def test_extracted_values_fill_what_was_not_supplied() -> None:
    merged = merge(metadata("{}"), extraction())
    assert merged.fields["title"] == "Headline"
    assert merged.evidence["title"] == {"source": "extracted", "rule": "text.title", "span": [0, 8]}
    assert merged.fields["published_at"] == datetime(2025, 1, 2, tzinfo=UTC)
    assert [(c.name, c.role, c.accepted) for c in merged.credits] == [("Jane Doe", "author", True)]
    assert len(merged.photos) == 1
    assert [(c.name, c.role) for c in merged.photos[0].credits] == [
        ("Agency", "photo_credit"),
        ("Pat Lee", "photographer"),
    ]
    assert merged.alternatives == {}


def test_supplied_values_win_and_disagreeing_ones_are_kept() -> None:
    merged = merge(metadata('{"title": "The Real Headline"}'), extraction())
    assert merged.fields["title"] == "The Real Headline"
    assert merged.evidence["title"] == {"source": "supplied"}
    assert merged.alternatives["title"] == [
        {"value": "Headline", "source": "extracted", "rule": "text.title", "span": [0, 8]}
    ]


def test_agreeing_values_leave_no_alternative() -> None:
    merged = merge(metadata('{"title": "  headline "}'), extraction())
    assert merged.fields["title"] == "headline"
    assert "title" not in merged.alternatives


def test_supplied_credits_decide_their_role_and_borrow_matching_evidence() -> None:
    raw = '{"credits": [{"name": "JANE DOE", "role": "author"}, {"name": "Max Roe", "role": "author"}]}'
    merged = merge(metadata(raw), extraction())
    authors = [(c.name, c.source, c.rule, c.accepted) for c in merged.credits if c.role == "author"]
    assert authors == [
        ("JANE DOE", "supplied", "text.byline", True),
        ("Max Roe", "supplied", None, True),
    ]


def test_disagreeing_extracted_credits_are_kept_but_not_accepted() -> None:
    raw = '{"credits": [{"name": "Max Roe", "role": "author"}]}'
    merged = merge(metadata(raw), extraction())
    jane = next(c for c in merged.credits if c.name == "Jane Doe")
    assert jane.accepted is False
    assert jane.rule == "text.byline"
    assert jane.span == Span(12, 20)


def test_roles_left_out_keep_their_extracted_credits() -> None:
    raw = '{"credits": [{"name": "Ann Editor", "role": "editor"}]}'
    merged = merge(metadata(raw), extraction())
    accepted = {(c.name, c.role) for c in merged.credits if c.accepted}
    assert accepted == {("Ann Editor", "editor"), ("Jane Doe", "author")}


def test_supplied_photos_replace_extracted_ones() -> None:
    raw = '{"photos": [{"caption": "Given", "credit": "Org", "credits": [{"name": "Org", "role": "photo_credit", "kind": "organization"}]}]}'  # noqa: E501
    merged = merge(metadata(raw), extraction())
    assert [(p.caption, p.source, p.accepted) for p in merged.photos] == [
        ("Given", "supplied", True),
        ("Caption.", "extracted", False),
    ]
    assert all(not c.accepted for c in merged.photos[1].credits)
    # the text still credits the photographer, and the archivist supplied no photographer credit
    assert {(c.name, c.accepted) for c in merged.credits if c.role == "photographer"} == {("Pat Lee", True)}


def test_extracted_credits_are_bounded_as_supplied_ones_are() -> None:
    long_name = "Jane " * 70 + "Doe"
    many = [FoundCredit(f"Person {n:03d}", "author", "person", "pdf.author") for n in range(250)]
    found = Extraction(credits=[FoundCredit(long_name, "author", "person", "pdf.author"), *many])

    merged = merge(metadata("{}"), found)

    assert len(merged.credits) == 200
    assert all(len(draft.name) <= 300 for draft in merged.credits)
    assert found.problems == [
        "1 credit(s) over 300 characters dropped",
        "50 credit(s) past the first 200 dropped",
    ]
