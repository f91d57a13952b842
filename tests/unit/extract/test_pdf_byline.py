"""A paper's byline under its title on page 1, with the span of each name."""

from __future__ import annotations

from archive.extract.pdf_byline import RULE, printed_byline

PAPER = (
    "Trace-based Just-in-Time Type Specialization for Dynamic\n"
    "Languages\n"
    "Andreas Gal\u2217+, Brendan Eich\u2217, Mike Shaver\u2217,\n"
    "Mohammad R. Haghighat$, Michael Franz+\n"
    "\u2217Mozilla Corporation\n"
    "Abstract\n"
)


def test_names_under_the_title_are_its_byline_over_lines_ending_with_a_comma() -> None:
    byline = printed_byline(PAPER, None)

    names = [credit.name for credit in byline.credits]
    assert names == ["Andreas Gal", "Brendan Eich", "Mike Shaver", "Mohammad R. Haghighat", "Michael Franz"]
    for credit in byline.credits:
        assert credit.span is not None
        assert PAPER[credit.span.start : credit.span.end] == credit.name
        assert (credit.role, credit.rule) == ("author", RULE)
    assert byline.title is not None
    assert byline.title.value == "Trace-based Just-in-Time Type Specialization for Dynamic Languages"


def test_a_known_title_over_two_lines_is_skipped_before_the_byline() -> None:
    text = "Working Papers ISSN 1535-6078\nOverview of the Model: Origins,\nDevelopments\nMohammad Chuttur\n"

    byline = printed_byline(text, "Overview of the Model: Origins, Developments")

    assert [credit.name for credit in byline.credits] == ["Mohammad Chuttur"]
    assert byline.title is None  # the title was known


def test_prose_headings_and_dates_under_a_title_are_no_byline() -> None:
    for text in (
        "A Study of Things\nAbstract\nWe study things.\n",
        "A Study of Things\nFebruary 23, 2024\n1 Introduction\n",
        "A Study of Things\nThe results of the study are surprising, and we discuss them.\n",
    ):
        assert printed_byline(text, "A Study of Things").credits == []


def test_a_line_is_a_byline_only_if_every_item_is_a_name() -> None:
    assert printed_byline("A Title\nJane Doe, the results\n", "A Title").credits == []


def test_departments_institutions_and_affiliations_are_not_authors() -> None:
    for line in ("Department of Physics", "University of Oxford", "Ministry of Health", "Jane Doe, MIT"):
        assert printed_byline(f"A Study of Things\n{line}\nAbstract\n", "A Study of Things").credits == []


def test_an_organisation_alone_is_a_byline_only_when_asked() -> None:
    text = "A Two Column Example\nThe LaTeX Team\n2025-06-18\n"

    assert printed_byline(text, "A Two Column Example").credits == []
    team = printed_byline(text, "A Two Column Example", organisations=True).credits
    assert [credit.name for credit in team] == ["The LaTeX Team"]


def test_a_placeholder_is_no_printed_title() -> None:
    assert printed_byline("Title\nJane Doe\n", None).title is None
