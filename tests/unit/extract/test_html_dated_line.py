"""Names printed alone right before the article's date, under its headline: a byline with no label."""

from __future__ import annotations

import lxml.html
import pytest

from archive.extract.html_dated_line import dated_line_names


def names(header: str) -> list[str]:
    page = f"<html><body><nav><span>Jane Roe</span><time>2025-04-05</time></nav><h1>Harbour</h1>{header}"
    page += "<p>The city council voted on Tuesday to expand the harbour.</p></body></html>"
    return dated_line_names(lxml.html.fromstring(page))


@pytest.mark.parametrize(
    "header",
    [
        '<div><span>Sehernur Karsu &nbsp;|</span><span class="tarih">05.04.2025 - 10:31</span></div>',
        "<div><span>Sehernur Karsu</span><time datetime='2025-04-05'>April 5</time></div>",
        "<div><p>Sehernur Karsu</p><p>Published <time>yesterday</time></p></div>",
    ],
)
def test_a_name_alone_before_the_date_is_the_byline(header: str) -> None:
    assert names(header) == ["Sehernur Karsu"]


def test_two_names_before_the_date_are_both_read() -> None:
    assert names("<div><span>Jane Doe and John Roe</span><span>2025-04-05</span></div>") == [
        "Jane Doe",
        "John Roe",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "<div><span>Sehernur Karsu</span><span>Ekonomi</span></div>",  # no date after it
        "<div><h2>Related Articles</h2><time>2025-04-05</time></div>",  # a heading
        "<div><span>Sales rose sharply</span><span>2025-04-05</span></div>",  # not a name
        "<div><span>Reporter Jane Anna Maria Doe</span><span>2025-04-05</span></div>",  # too many words
        "<div><span>Editorial</span><span>2025-04-05</span></div>",  # one word, a desk
    ],
)
def test_what_is_not_a_name_before_a_date_is_not_read(header: str) -> None:
    assert names(header) == []


def test_a_page_without_a_headline_or_with_a_name_only_above_it_gives_nothing() -> None:
    assert dated_line_names(lxml.html.fromstring("<div><span>Jane Doe</span><time>2025</time></div>")) == []
    assert names("") == []  # the <nav>'s name comes before the headline
