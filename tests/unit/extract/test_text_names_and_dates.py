"""The plain-text extractor's helpers: telling people from organisations, reading printed dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.extract.text_dates import leading_date, parse_date
from archive.extract.text_lines import Piece, matchable, split_lines
from archive.extract.text_names import agent_kind, is_job_description, read_name_list


@pytest.mark.parametrize(
    "name",
    [
        "Samantha Flom",
        "Tia Dufour",
        "Robert F. Bukaty",
        "J.K. Rowling",
        "AMELIA THOMSON-DEVEAUX",
        "Seán O'Brien",
        "María de la Cruz",
        "Martin Luther King Jr.",
        "Khalid al-Hassan",
        "Mohamed El Saife",
    ],
)
def test_people(name: str) -> None:
    assert agent_kind(name) == "person"


@pytest.mark.parametrize(
    ("name", "agency_slot"),
    [
        ("U.S. Department of Homeland Security", False),
        ("The Associated Press", False),
        ("Getty Images", False),
        ("PA Wire", False),
        ("Los Angeles Times", False),
        ("Mashreq University", False),
        ("AP", False),
        ("AFP", False),
        ("Dailymail.com", False),
        ("Reuters", True),
        ("Strava", True),
    ],
)
def test_organisations(name: str, agency_slot: bool) -> None:
    assert agent_kind(name, agency_slot=agency_slot) == "organization"


@pytest.mark.parametrize(
    "text",
    [
        "Reuters",  # one word is an agency only where credits print agencies
        "Kristi",
        "the way",
        "Secretary Kristi Noem",
        "President Donald Trump",
        "New York",
        "Jane Doe's",
        "Post Jobs",
        "2030 Vision",
        "Updated Monday",
        "Tom Ozimek and Jack Phillips",
        "",
    ],
)
def test_neither(text: str) -> None:
    assert agent_kind(text) is None


@pytest.mark.parametrize(
    "text", ["Staff writer", "Freelance sports writer", "Senior Correspondent", "reporter"]
)
def test_job_descriptions(text: str) -> None:
    assert is_job_description(text)


@pytest.mark.parametrize("text", ["Jane Doe", "Reuters", "writes about sports for us", ""])
def test_not_job_descriptions(text: str) -> None:
    assert not is_job_description(text)


def test_a_list_of_names_keeps_each_names_offsets() -> None:
    text = "Associated Press writers Will Weissert in Johnstown, Pennsylvania, and Bill Barrow in Atlanta"
    names = read_name_list(Piece(100, text))
    assert names is not None
    assert [(n.piece.text, n.kind) for n in names] == [("Will Weissert", "person"), ("Bill Barrow", "person")]
    assert [n.piece.start - 100 for n in names] == [text.index("Will"), text.index("Bill")]


def test_a_list_with_prose_is_no_list() -> None:
    assert read_name_list(Piece(0, "He said he")) is None
    assert read_name_list(Piece(0, "Jane Doe and the newsroom")) is None


def test_matchable_text_keeps_every_offset() -> None:
    text = "\u201cQuote\u201d \u2014 it\u2019s\u00a0here\r\nnext\u2028line"
    plain = matchable(text)
    assert len(plain) == len(text)
    assert plain.startswith('"Quote" - it\'s here')
    assert [line.text for line in split_lines(plain)] == ['"Quote" - it\'s here', "next", "line"]


@pytest.mark.parametrize(
    ("printed", "instant"),
    [
        ("Feb. 11, 2025, 4:32 PM ET", datetime(2025, 2, 11, 21, 32, tzinfo=UTC)),
        ("Aug. 11, 2025, 4:32 PM ET", datetime(2025, 8, 11, 20, 32, tzinfo=UTC)),
        ("11:02 AM EST, February 10, 2025", datetime(2025, 2, 10, 16, 2, tzinfo=UTC)),
        ("11:02 AM EDT, June 10, 2025", datetime(2025, 6, 10, 15, 2, tzinfo=UTC)),
        ("Jan. 3, 2025 8:15 a.m. CT", datetime(2025, 1, 3, 14, 15, tzinfo=UTC)),
        ("Jan. 3, 2025 8:15 a.m. MT", datetime(2025, 1, 3, 15, 15, tzinfo=UTC)),
        ("July 4, 2025 9:00 PM PT", datetime(2025, 7, 5, 4, 0, tzinfo=UTC)),
        ("12 March 2024 at 14:00 GMT", datetime(2024, 3, 12, 14, 0, tzinfo=UTC)),
        ("15:57 BST, 27 April 2024", datetime(2024, 4, 27, 14, 57, tzinfo=UTC)),
        ("27 April 2024 15:57 CEST", datetime(2024, 4, 27, 13, 57, tzinfo=UTC)),
        ("26 November 2024 09:00 AEDT", datetime(2024, 11, 25, 22, 0, tzinfo=UTC)),
        ("2024-02-24T14:30:00Z", datetime(2024, 2, 24, 14, 30, tzinfo=UTC)),
        ("Feb 11, 2025 4:32 PM", datetime(2025, 2, 11, 16, 32, tzinfo=UTC)),  # no zone printed: UTC
        ("Feb. 11, 2025", datetime(2025, 2, 11, tzinfo=UTC)),
    ],
)
def test_printed_dates_in_utc(printed: str, instant: datetime) -> None:
    assert parse_date(printed) == instant


@pytest.mark.parametrize(
    "printed", ["0:00", "4:30 am", "5 hours ago", "Feb. 11", "August 8", "", "2025", "ET"]
)
def test_no_date_is_invented(printed: str) -> None:
    assert parse_date(printed) is None


def test_a_date_at_the_start_of_a_notice() -> None:
    match = leading_date(" Feb. 11, 2025, 4:32 PM ET and more words")
    assert match is not None
    assert match.group() == "Feb. 11, 2025, 4:32 PM ET"
    assert leading_date("0:00") is None
    assert leading_date("figures show") is None
