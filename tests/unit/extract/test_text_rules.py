"""Each rule of the plain-text extractor, on small hand-written articles: what it must find and what not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.extract.model import Extraction
from archive.extract.text import extract_text

BODY = (
    "The council voted on Tuesday to approve a budget that Mayor John Smith said would fund more police "
    "officers, said Kristi Noem, who attended the meeting with her staff.\n\n"
    "Critics said the plan would raise taxes for families across the city, and they promised to fight it in "
    "court before the next election in the spring.\n\n"
    "The next vote is scheduled for March, when the council returns from its winter recess.\n"
)


def read(text: str) -> Extraction:
    """The extraction, after checking that every span is exactly what was printed."""
    extraction = extract_text(text)
    assert extraction.text is text
    for credit in [*extraction.credits, *(c for p in extraction.photos for c in p.credits)]:
        assert credit.span is not None
        assert text[credit.span.start : credit.span.end] == credit.name
    for notice in extraction.notices:
        assert notice.span is not None
        assert text[notice.span.start : notice.span.end] == notice.text
    for found in (extraction.title, extraction.subtitle):
        if found is not None:
            assert found.span is not None
            assert text[found.span.start : found.span.end] == found.value
    return extraction


def credits(text: str) -> list[tuple[str, str, str]]:
    return [(c.name, c.role, c.kind) for c in read(text).credits]


def credits_by_rule(text: str) -> list[tuple[str, str, str]]:
    return [(c.name, c.role, c.rule) for c in read(text).credits]


def article(header: str, tail: str = "") -> str:
    return f"City council approves a new budget\n\n{header}\n\n{BODY}\n{tail}"


# --- title and standfirst ---------------------------------------------------------------------------------


def test_title_is_the_first_line_when_it_reads_as_a_headline() -> None:
    extraction = read(article("By Jane Doe"))
    assert extraction.title is not None
    assert (extraction.title.value, extraction.title.rule) == (
        "City council approves a new budget",
        "text.title",
    )


@pytest.mark.parametrize(
    "first_line",
    [
        "By Jane Doe",
        "Updated: Feb. 11, 2025, 4:05 p.m. ET",
        "February 11, 2025",
        "The council voted on Tuesday to approve a budget that the mayor said would fund more officers.",
        "Menu:",
    ],
)
def test_no_title_when_the_first_line_is_no_headline(first_line: str) -> None:
    assert read(f"{first_line}\n\n{BODY}").title is None


def test_a_copy_that_begins_at_the_byline_has_no_title() -> None:
    extraction = read("Jane Doe\nUpdated: Feb. 11, 2025\n\n" + BODY)
    assert extraction.title is None
    assert [(c.name, c.role, c.rule) for c in extraction.credits] == [("Jane Doe", "author", "text.byline")]


def test_standfirst_is_the_summary_between_title_and_byline() -> None:
    text = "Council passes budget\n\nThe plan adds 40 officers and fixes potholes.\nBy Jane Doe\n\n" + BODY
    extraction = read(text)
    assert extraction.subtitle is not None
    assert extraction.subtitle.value == "The plan adds 40 officers and fixes potholes."
    assert extraction.subtitle.rule == "text.standfirst"


def test_the_first_paragraph_of_the_body_is_no_standfirst() -> None:
    extraction = read("Council passes budget\n\n" + BODY)
    assert extraction.title is not None
    assert extraction.subtitle is None


def test_a_byline_right_after_the_title_is_no_standfirst() -> None:
    extraction = read("Council passes budget\nBy Jane Doe\n\n" + BODY)
    assert extraction.subtitle is None
    assert credits(extraction.text or "") == [("Jane Doe", "author", "person")]


# --- bylines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("By Jane Doe, John Roe and Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
        ("By Jane Doe, John Roe, and Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
        ("By Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
        ("BY STEVE PEOPLES and AMELIA THOMSON-DEVEAUX", ["STEVE PEOPLES", "AMELIA THOMSON-DEVEAUX"]),
        (
            "By Se\u00e1n O\u2019Brien and Mar\u00eda de la Cruz",
            ["Se\u00e1n O\u2019Brien", "Mar\u00eda de la Cruz"],
        ),
        ("By Robert F. Bukaty Jr.", ["Robert F. Bukaty Jr."]),
        ("Written by Eliaser Ndeyanale", ["Eliaser Ndeyanale"]),
        ("Author of the article: Joseph Brean", ["Joseph Brean"]),
        ("By Jane Doe, Reuters", ["Jane Doe"]),
        ("By Jane Doe | Staff writer", ["Jane Doe"]),
        ("By Michael Hincks Freelance sports writer", ["Michael Hincks"]),
        ("By Dolores Chang For Dailymail.Com", ["Dolores Chang"]),
        ("By Jane Doe in Paris and John Roe in London", ["Jane Doe", "John Roe"]),
        ("By Jane Doe February 10, 2025", ["Jane Doe"]),
    ],
)
def test_labelled_bylines(byline: str, names: list[str]) -> None:
    assert credits_by_rule(article(byline)) == [(name, "author", "text.byline") for name in names]


def test_an_organisation_alone_in_a_byline_is_an_organisation_author() -> None:
    assert credits(article("By The Associated Press")) == [("The Associated Press", "author", "organization")]


@pytest.mark.parametrize(
    "line",
    [
        "Jane Doe, Reuters",
        "Jane Doe | Staff writer",
        "Jane Doe - Senior Correspondent",
        "Jane Doe \u00b7 CBC News \u00b7 Posted: Aug 08, 2024 4:00 AM EDT",
    ],
)
def test_a_name_with_an_affiliation_in_the_header_is_a_byline(line: str) -> None:
    assert credits_by_rule(article(line)) == [("Jane Doe", "author", "text.byline")]


@pytest.mark.parametrize(
    "header",
    [
        "Jane Doe\nUpdated:",
        "Updated: Feb. 11, 2025\nJane Doe",
        "Jane Doe\nFebruary 11, 2025",
        "Jane Doe in Madrid\nSat 24 Feb 2024 14.30 GMT",
        "Jane Doe | Published: Feb. 11, 2025",
    ],
)
def test_a_bare_name_next_to_a_stamp_is_a_byline(header: str) -> None:
    assert credits_by_rule(article(header)) == [("Jane Doe", "author", "text.byline")]


def test_a_bare_name_far_from_any_stamp_is_no_byline() -> None:
    assert credits(article("Jane Doe")) == []


@pytest.mark.parametrize(
    "line",
    [
        "By the way, the council met again on Wednesday.",
        "By 2030 the city will need twice as many officers.",
        "By contrast, the county cut its budget.",
        "By Monday, the plan had collapsed.",
        "By Jane Doe's account, the plan failed.",
        "By Thursday",
        "New York\nFebruary 11, 2025",
        "Secretary Kristi Noem\nUpdated:",
    ],
)
def test_lines_that_are_no_bylines(line: str) -> None:
    assert credits(article(line)) == []


def test_a_quoted_official_is_never_credited() -> None:
    text = article("By Jane Doe", tail="“We will hunt you down,” said Kristi Noem.\n")
    assert credits(text) == [("Jane Doe", "author", "person")]


def test_a_byline_below_the_header_belongs_to_another_story() -> None:
    text = article("By Jane Doe", tail="More stories\n\n1 day ago\nBy John Roe\n\nAnother headline here\n")
    assert credits(text) == [("Jane Doe", "author", "person")]


# --- contributed lines, additional reporting, Reuters-style credit lines ----------------------------------


def test_contributed_to_this_report_names_each_contributor() -> None:
    text = article("By Jane Doe", tail="Tom Ozimek and Jack Phillips contributed to this report.\n")
    assert credits_by_rule(text) == [
        ("Jane Doe", "author", "text.byline"),
        ("Tom Ozimek", "contributor", "text.contributed_line"),
        ("Jack Phillips", "contributor", "text.contributed_line"),
    ]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Ann Poe contributed reporting.", ["Ann Poe"]),
        ("Ann Poe, Bo Li and Cy Twombly contributed to this story.", ["Ann Poe", "Bo Li", "Cy Twombly"]),
        (
            "Associated Press writers Will Weissert in Johnstown, Pennsylvania, and Bill Barrow in Atlanta "
            "contributed to this report.",
            ["Will Weissert", "Bill Barrow"],
        ),
        ("Robert F. Kennedy contributed to this report.", ["Robert F. Kennedy"]),
        ("The vote was close. Ann Poe contributed reporting from Paris.", ["Ann Poe"]),
    ],
)
def test_contributed_lines(line: str, names: list[str]) -> None:
    found = credits_by_rule(article("By Jane Doe", tail=line + "\n"))
    assert found[1:] == [(name, "contributor", "text.contributed_line") for name in names]


@pytest.mark.parametrize(
    "line",
    [
        "The money he contributed to this report was returned.",
        "Officials contributed reporting.",
        "He said he contributed to the report.",
    ],
)
def test_contributed_lines_without_names(line: str) -> None:
    assert credits(article("By Jane Doe", tail=line + "\n")) == [("Jane Doe", "author", "person")]


def test_additional_reporting_names_contributors() -> None:
    text = article("By Jane Doe", tail="Additional reporting by Ann Poe and Bo Li\n")
    assert credits_by_rule(text)[1:] == [
        ("Ann Poe", "contributor", "text.additional_reporting"),
        ("Bo Li", "contributor", "text.additional_reporting"),
    ]


def test_additional_reporting_after_a_dash_in_lower_case() -> None:
    text = article(
        "By Jane Doe",
        tail="\u201cIt is for the courts,\u201d he says. \u2013 additional reporting by Donald Matthys\n",
    )
    assert credits_by_rule(text)[1:] == [("Donald Matthys", "contributor", "text.additional_reporting")]


def test_reuters_style_credit_line_without_a_byline() -> None:
    tail = "Reporting by Ann Poe in London and Bo Li in Singapore; Editing by Cy Twombly and Di Chen\n"
    assert credits_by_rule(article("", tail=tail)) == [
        ("Ann Poe", "author", "text.credit_line.reporting"),
        ("Bo Li", "author", "text.credit_line.reporting"),
        ("Cy Twombly", "editor", "text.credit_line.editing"),
        ("Di Chen", "editor", "text.credit_line.editing"),
    ]


def test_reuters_style_reporters_beside_a_byline_are_contributors_and_the_byline_is_one_author() -> None:
    tail = "Reporting by Jane Doe and Bo Li; Writing by Ed Ng; Editing by Di Chen\n"
    assert credits_by_rule(article("By Jane Doe", tail=tail)) == [
        ("Jane Doe", "author", "text.byline"),
        ("Bo Li", "contributor", "text.credit_line.reporting"),
        ("Ed Ng", "contributor", "text.credit_line.writing"),
        ("Di Chen", "editor", "text.credit_line.editing"),
    ]


def test_translated_by_names_a_translator() -> None:
    text = article("By Jane Doe", tail="Translated from Spanish by Ann Poe.\n")
    assert credits_by_rule(text)[1:] == [("Ann Poe", "translator", "text.credit_line.translation")]


@pytest.mark.parametrize(
    "line",
    [
        "Reporting by the BBC suggests that the plan will fail.",
        "Editing by hand is slow.",
        "The editors said reporting by local outlets had been thorough.",
    ],
)
def test_credit_line_words_in_prose(line: str) -> None:
    assert credits(article("By Jane Doe", tail=line + "\n")) == [("Jane Doe", "author", "person")]


# --- author boxes -----------------------------------------------------------------------------------------


def test_an_author_box_repeating_the_byline_is_the_same_author() -> None:
    tail = "Jane Doe\nJane Doe\nAuthor\nJane Doe is a reporter for The Daily Herald covering city hall.\n"
    assert credits_by_rule(article("By Jane Doe", tail=tail)) == [("Jane Doe", "author", "text.byline")]


def test_an_author_box_names_the_author_when_no_byline_does() -> None:
    tail = "Ann Poe\nAuthor\nAnn Poe is a reporter for The Daily Herald covering city hall.\n"
    text = article("", tail=tail)
    found = read(text).credits
    assert [(c.name, c.role, c.kind, c.rule) for c in found] == [
        ("Ann Poe", "author", "person", "text.author_box")
    ]
    assert found[0].span is not None
    assert found[0].span.start == text.index("Ann Poe\nAuthor")


def test_about_the_author_heading() -> None:
    tail = "About the author\nAnn Poe\nShe has covered city hall since 2019.\n"
    assert credits_by_rule(article("", tail=tail)) == [("Ann Poe", "author", "text.author_box")]


def test_a_bio_line_alone_names_the_author() -> None:
    tail = "Ann Poe is a senior correspondent for The Daily Herald.\n"
    assert credits_by_rule(article("", tail=tail)) == [("Ann Poe", "author", "text.author_box")]


def test_a_name_line_followed_by_a_bio_by_surname() -> None:
    tail = "THOMAS BEAUMONT\nBeaumont covers national politics for The Associated Press.\n"
    assert credits_by_rule(article("", tail=tail)) == [("THOMAS BEAUMONT", "author", "text.author_box")]


def test_an_author_box_never_duplicates_a_contributor() -> None:
    tail = "Ann Poe contributed to this report.\nAnn Poe\nAuthor\n"
    assert credits_by_rule(article("By Jane Doe", tail=tail)) == [
        ("Jane Doe", "author", "text.byline"),
        ("Ann Poe", "contributor", "text.contributed_line"),
    ]


@pytest.mark.parametrize(
    "tail",
    [
        "Kristi Noem is the secretary of homeland security.\n",
        "Author\nThe views expressed are the writer's own.\n",
        "Kristi Noem is a former governor who once said she admired reporters.\n",
    ],
)
def test_no_author_box_in_the_last_lines(tail: str) -> None:
    assert credits(article("By Jane Doe", tail=tail)) == [("Jane Doe", "author", "person")]


# --- photo captions and credit lines ----------------------------------------------------------------------


def photos(text: str) -> list[tuple[str | None, str | None, str, list[tuple[str, str, str]]]]:
    return [
        (p.caption, p.credit, p.rule, [(c.name, c.role, c.kind) for c in p.credits])
        for p in read(text).photos
    ]


def test_slash_credit_organisation_then_photographer() -> None:
    line = "The mayor speaks on Tuesday. U.S. Department of Housing/ Ann Lee"
    assert photos(article("By Jane Doe\n" + line)) == [
        (
            "The mayor speaks on Tuesday.",
            "U.S. Department of Housing/ Ann Lee",
            "text.photo_credit.slash",
            [
                ("U.S. Department of Housing", "photo_credit", "organization"),
                ("Ann Lee", "photographer", "person"),
            ],
        )
    ]


def test_slash_credit_photographer_then_agency() -> None:
    line = "The gutted remains of the two buildings. Eva Manez/Reuters"
    assert photos(article(line)) == [
        (
            "The gutted remains of the two buildings.",
            "Eva Manez/Reuters",
            "text.photo_credit.slash",
            [("Eva Manez", "photographer", "person"), ("Reuters", "photo_credit", "organization")],
        )
    ]


def test_slash_credit_on_its_own_line_after_the_caption() -> None:
    text = article("Smoke rises over the port on Wednesday.\nLintao Zhang/Getty Images")
    assert photos(text) == [
        (
            "Smoke rises over the port on Wednesday.",
            "Lintao Zhang/Getty Images",
            "text.photo_credit.slash",
            [("Lintao Zhang", "photographer", "person"), ("Getty Images", "photo_credit", "organization")],
        )
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Jane Doe/John Roe",
        "EAT/DRINK",
        "Find/Post Jobs",
        "The shop is open 24/7.",
        "Choose a plan and/or a payment method.",
        "Best for Active/Side Sleepers",
        "The AC/DC concert drew 40,000 fans.",
    ],
)
def test_slashes_that_are_no_credit_lines(line: str) -> None:
    assert photos(article(line)) == []


def test_ap_photo_credit() -> None:
    line = "Donald Trump greets supporters, Aug. 29, 2024, in La Crosse, Wis. (AP Photo/Morry Gash, File)"
    assert photos(article(line)) == [
        (
            "Donald Trump greets supporters, Aug. 29, 2024, in La Crosse, Wis.",
            "AP Photo/Morry Gash, File",
            "text.photo_credit.ap_photo",
            [("AP", "photo_credit", "organization"), ("Morry Gash", "photographer", "person")],
        )
    ]


def test_agency_photo_without_a_photographer() -> None:
    assert photos(article("A flooded street in Houston. (AP Photo)")) == [
        (
            "A flooded street in Houston.",
            "AP Photo",
            "text.photo_credit.ap_photo",
            [("AP", "photo_credit", "organization")],
        )
    ]


@pytest.mark.parametrize(
    ("line", "credit", "makers"),
    [
        (
            "The gutted remains of the buildings. Photograph: Eva Manez/Reuters",
            "Eva Manez/Reuters",
            [("Eva Manez", "photographer", "person"), ("Reuters", "photo_credit", "organization")],
        ),
        (
            "Protesters on stage during the play (Photo: Just Stop Oil/PA Wire)",
            "Just Stop Oil/PA Wire",
            [("Just Stop Oil", "photographer", "person"), ("PA Wire", "photo_credit", "organization")],
        ),
        (
            "The King arrives in the Norman Porch (Picture: Getty)",
            "Getty",
            [("Getty", "photo_credit", "organization")],
        ),
        (
            "Harris in the yearbook. Photo by Handout/English Montreal School Board/AFP via Getty Images",
            "Handout/English Montreal School Board/AFP via Getty Images",
            [
                ("English Montreal School Board", "photo_credit", "organization"),
                ("AFP", "photo_credit", "organization"),
                ("Getty Images", "photo_credit", "organization"),
            ],
        ),
        (
            "The mayor at city hall. Photo by Ann Lee for The Daily Herald",
            "Ann Lee for The Daily Herald",
            [("Ann Lee", "photographer", "person"), ("The Daily Herald", "photo_credit", "organization")],
        ),
    ],
)
def test_photo_labels(line: str, credit: str, makers: list[tuple[str, str, str]]) -> None:
    found = photos(article(line))
    assert [(c, rule, m) for _, c, rule, m in found] == [(credit, "text.photo_credit.photo_label", makers)]


def test_an_illustration_label_names_an_illustrator() -> None:
    found = photos(
        article("The stadium through the years. Photo illustration by Tim Hubbard / Los Angeles Times")
    )
    assert found[0][3] == [
        ("Tim Hubbard", "illustrator", "person"),
        ("Los Angeles Times", "photo_credit", "organization"),
    ]
    assert credits(article("The stadium through the years. Illustration: Tim Hubbard"))[0] == (
        "Tim Hubbard",
        "illustrator",
        "person",
    )


@pytest.mark.parametrize(
    ("line", "caption", "credit"),
    [
        (
            "China leads the world in solar power. Credit: AFP/Getty",
            "China leads the world in solar power.",
            "AFP/Getty",
        ),
        ("Image credit: NASA", None, "NASA"),
    ],
)
def test_credit_labels(line: str, caption: str | None, credit: str) -> None:
    found = photos(article(line))
    assert [(c, cr, rule) for c, cr, rule, _ in found] == [
        (caption, credit, "text.photo_credit.credit_label")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Credit: card debt rose sharply last year, the bank said.",
        "He posted a photo: it showed the mayor asleep in the chamber.",
        "The photo by the river was taken at dawn.",
        "Pictures: the best of the week",
    ],
)
def test_label_words_in_prose(line: str) -> None:
    assert photos(article(line)) == []


def test_via_credit_names_photographer_and_distributor() -> None:
    found = photos(article("Smoke billows over Poonch on May 7, 2025. PUNIT PARANJPE/AFP via Getty Images"))
    assert found == [
        (
            "Smoke billows over Poonch on May 7, 2025.",
            "PUNIT PARANJPE/AFP via Getty Images",
            "text.photo_credit.via",
            [
                ("PUNIT PARANJPE", "photographer", "person"),
                ("AFP", "photo_credit", "organization"),
                ("Getty Images", "photo_credit", "organization"),
            ],
        )
    ]
    assert photos(article("A voter casts a ballot. Ann Lee via Reuters"))[0][3] == [
        ("Ann Lee", "photographer", "person"),
        ("Reuters", "photo_credit", "organization"),
    ]


def test_an_agency_alone_after_the_caption() -> None:
    found = photos(article("Stock up on food that keeps. Getty Images"))
    assert found == [
        (
            "Stock up on food that keeps.",
            "Getty Images",
            "text.photo_credit.agency",
            [("Getty Images", "photo_credit", "organization")],
        )
    ]


def test_a_single_word_after_a_caption_is_no_agency() -> None:
    assert photos(article("The minister spoke in Washington. Reuters")) == []


def test_photo_credits_are_document_credits_once_per_name_and_role() -> None:
    lines = "Jamil Al Saadouni in Gaza. Mohamed El Saife/CBC\n\nAbu Hassan Amer in Gaza. Mohamed El Saife/CBC"
    extraction = read(article("By Jane Doe\n\n" + lines))
    assert len(extraction.photos) == 2
    assert [(c.name, c.role) for c in extraction.credits] == [
        ("Jane Doe", "author"),
        ("Mohamed El Saife", "photographer"),
        ("CBC", "photo_credit"),
    ]
    first_photo = extraction.photos[0].credits
    assert extraction.credits[1] == first_photo[0]  # the first printed credit is the one kept


def test_an_author_may_also_be_the_photographer() -> None:
    found = credits(article("By Scott Gilbertson\n\nThe bag on a cold night. Photograph: Scott Gilbertson"))
    assert found == [("Scott Gilbertson", "author", "person"), ("Scott Gilbertson", "photographer", "person")]


# --- notices ----------------------------------------------------------------------------------------------


def notices(text: str) -> list[tuple[str, str, datetime | None, str]]:
    return [(n.kind, n.text, n.date, n.rule) for n in read(text).notices]


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Updated: Feb. 11, 2025, 4:05 p.m. ET", datetime(2025, 2, 11, 21, 5, tzinfo=UTC)),
        ("Updated: July 11, 2025, 4:05 p.m. ET", datetime(2025, 7, 11, 20, 5, tzinfo=UTC)),
        ("Updated 11:02 AM EST, February 10, 2025", datetime(2025, 2, 10, 16, 2, tzinfo=UTC)),
        ("Updated: 15:57 BST, 27 April 2024", datetime(2024, 4, 27, 14, 57, tzinfo=UTC)),
        ("Updated November 19, 2024 4:23pm PT", datetime(2024, 11, 20, 0, 23, tzinfo=UTC)),
        ("Updated June 3, 2024 9:00 am PDT", datetime(2024, 6, 3, 16, 0, tzinfo=UTC)),
        ("Last updated: Aug 08, 2024 4:00 AM EDT", datetime(2024, 8, 8, 8, 0, tzinfo=UTC)),
        ("Last modified on Sat 24 Feb 2024 14.30 GMT", datetime(2024, 2, 24, 14, 30, tzinfo=UTC)),
        ("Updated: 2024-02-24T14:30:00+02:00", datetime(2024, 2, 24, 12, 30, tzinfo=UTC)),
        ("Updated: Feb. 11, 2025", datetime(2025, 2, 11, tzinfo=UTC)),
        ("Updated: Feb. 11, 2025, 4:05 p.m.", datetime(2025, 2, 11, 16, 5, tzinfo=UTC)),
        ("Updated:", None),
        ("Updated", None),
        ("Updated 4:30 am", None),
        ("Last updated 5 hours ago", None),
        ("Updated: Feb. 11", None),
    ],
)
def test_update_notices_and_their_dates(line: str, date: datetime | None) -> None:
    assert notices(article("By Jane Doe\n" + line)) == [("updated", line, date, "text.notice.updated")]


def test_an_audio_players_clock_is_no_date() -> None:
    assert notices(article("Jane Doe\nUpdated:\n0:00")) == [
        ("updated", "Updated:", None, "text.notice.updated")
    ]


def test_a_date_alone_on_the_next_line_belongs_to_a_bare_update_label() -> None:
    text = article("Jane Doe\nUpdated:\n15:57 BST, 27 April 2024")
    assert notices(text) == [
        (
            "updated",
            "Updated:\n15:57 BST, 27 April 2024",
            datetime(2024, 4, 27, 14, 57, tzinfo=UTC),
            "text.notice.updated",
        )
    ]


def test_published_and_updated_stamps_on_one_line() -> None:
    text = article("By Jane Doe\nPublished: 15:56 BST, 27 April 2024 | Updated: 15:57 BST, 27 April 2024")
    extraction = read(text)
    assert [(n.text, n.date) for n in extraction.notices] == [
        ("Updated: 15:57 BST, 27 April 2024", datetime(2024, 4, 27, 14, 57, tzinfo=UTC))
    ]
    assert extraction.published_at is not None
    assert extraction.published_at.value == datetime(2024, 4, 27, 14, 56, tzinfo=UTC)
    assert extraction.published_at.rule == "text.published"


def test_an_update_stamp_in_parentheses() -> None:
    assert notices(article("By Jane Doe\nAugust 30, 2023 1:55 am (Updated 4:30 am)")) == [
        ("updated", "Updated 4:30 am", None, "text.notice.updated")
    ]


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Corrected on 12 March 2024 at 14:00 GMT", datetime(2024, 3, 12, 14, 0, tzinfo=UTC)),
        ("Correction: The council voted 7-2, not 6-3.", None),
        ("CORRECTION: Feb. 12, 2025 - The council voted 7-2.", datetime(2025, 2, 12, tzinfo=UTC)),
        ("Clarification: The plan covers two years.", None),
    ],
)
def test_correction_notices(line: str, date: datetime | None) -> None:
    assert notices(article("By Jane Doe", tail=line + "\n")) == [
        ("corrected", line, date, "text.notice.corrected")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Editor's note: This story was updated to include the final vote count.",
        "Editor\u2019s Note: This story was updated to include the final vote count.",
        "EDITOR\u2019S NOTE \u2014 This story contains descriptions of violence.",
    ],
)
def test_editors_notes(line: str) -> None:
    assert notices(article("By Jane Doe", tail=line + "\n")) == [
        ("editors_note", line, None, "text.notice.editors_note")
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("This article was updated to correct the number of officers.", "corrected"),
        ("This story has been updated with comment from the mayor.", "updated"),
        ("This article has been updated on Feb. 12, 2025 to include the final vote.", "updated"),
    ],
)
def test_updated_to_notices(line: str, kind: str) -> None:
    found = notices(article("By Jane Doe", tail=line + "\n"))
    assert [(k, text, rule) for k, text, _, rule in found] == [(kind, line, "text.notice.updated_to")]


def test_an_updated_to_notice_reads_the_date_it_names() -> None:
    line = "This article has been updated on Feb. 12, 2025 to include the final vote."
    assert notices(article("By Jane Doe", tail=line + "\n"))[0][2] == datetime(2025, 2, 12, tzinfo=UTC)


def test_an_earlier_version_notice_is_a_correction() -> None:
    line = "An earlier version of this article misstated the size of the budget."
    assert notices(article("By Jane Doe", tail=line + "\n")) == [
        ("corrected", line, None, "text.notice.earlier_version")
    ]


def test_a_correction_label_and_its_earlier_version_sentence_are_one_notice() -> None:
    line = "Correction: An earlier version of this article misstated the size of the budget."
    assert notices(article("By Jane Doe", tail=line + "\n")) == [
        ("corrected", line, None, "text.notice.corrected")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Updated figures show the deficit grew.",
        "Corrections",
        "Corrections officers said the jail was full.",
        "Modified crops were planted in the spring.",
        "Published in 1999, the report is still cited.",
        "The article was updated frequently by volunteers.",
        "updated: lower case is not a label",
    ],
)
def test_lines_that_are_no_notices(line: str) -> None:
    extraction = read(article("By Jane Doe", tail=line + "\n"))
    assert extraction.notices == []
    assert extraction.published_at is None


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Ann Poe, Bo Li, and Cy Twombly contributed to this guide.", ["Ann Poe", "Bo Li", "Cy Twombly"]),
        ("With files from Ann Poe and Bo Li", ["Ann Poe", "Bo Li"]),
        ("Additional reporting from Ann Poe", ["Ann Poe"]),
        ("Mitarbeit: Anna Martel und Lea Wagner", ["Anna Martel", "Lea Wagner"]),
        ("Con información de Juan Pérez", ["Juan Pérez"]),
        ("Avec la collaboration de Marie Curie", ["Marie Curie"]),
    ],
)
def test_contributor_lines_in_other_words_and_languages(line: str, names: list[str]) -> None:
    found = credits_by_rule(article("By Jane Doe", tail=line + "\n"))
    assert [(name, role) for name, role, _ in found[1:]] == [(name, "contributor") for name in names]


def test_an_agency_a_line_names_is_an_organisation_not_a_person() -> None:
    text = article("By Jane Doe", tail="With files from The Associated Press\n")
    assert credits(text)[1:] == [("The Associated Press", "contributor", "organization")]
