"""Editors named by a label beside the article: credited as editors, never taken for its writers."""

from __future__ import annotations

import json

import lxml.html
import pytest

from archive.extract.html import extract_html
from archive.extract.html_editors import RULE_EDITOR_LABEL, page_editors

STORY = (
    "<p>The city council voted on Tuesday to expand the harbour, a decision that has divided residents for "
    "more than a decade and will reshape the waterfront for a generation.</p>"
    "<p>Supporters say the expansion will bring jobs and trade, while opponents warn of the cost to the "
    "marshes and the birds that nest there every spring.</p>"
)


def editors_of(body: str) -> list[tuple[str, str]]:
    tree = lxml.html.fromstring(f"<html><body>{body}</body></html>")
    return [(credit.name, credit.role) for credit in page_editors(tree)]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ('<div class="info">Editor : <a href="/author/112">Heryadi</a></div>', ["Heryadi"]),
        ("<div>(责编\uff1a牛镛、岳弘彬)</div>", ["牛镛", "岳弘彬"]),
        ("<p>Edited by Jane Doe and John Roe</p>", ["Jane Doe", "John Roe"]),
        ("<span>Redaktør: Kari Nordmann</span>", ["Kari Nordmann"]),
        ("<p>편집: 김민수</p>", ["김민수"]),
    ],
)
def test_a_labelled_editor_is_read_in_each_form(line: str, names: list[str]) -> None:
    assert editors_of(f"<article>{STORY}{line}</article>") == [(name, "editor") for name in names]


def test_the_mastheads_editors_and_prose_about_editors_are_not_the_storys() -> None:
    body = (
        f"<article>{STORY}<p>The editor: a job nobody on the council wanted, and which the harbour board "
        "has left open for months while the permits were argued over in court.</p></article>"
        "<footer><p>Ansvarlig redaktør: Kari Nordmann</p><p>Editor: Sam Chief</p></footer>"
        "<nav><span>Editor: Ann Nav</span></nav>"
    )
    assert editors_of(body) == []


def test_the_editor_the_schema_data_calls_the_author_is_credited_as_editor() -> None:
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Harbour expansion approved",
        "author": {"@type": "Person", "name": "Heryadi"},
    }
    html = (
        f'<html lang="en"><head><script type="application/ld+json">{json.dumps(jsonld)}</script></head>'
        '<body><article><h1>Harbour expansion approved</h1><div class="author">Naufal Zuhdi</div>'
        f'{STORY}<div class="info-author">Editor : <a href="/author/112">Heryadi</a></div></article>'
        "</body></html>"
    ).encode()
    credits = [(c.name, c.role, c.rule) for c in extract_html(html).credits]
    assert ("Heryadi", "editor", RULE_EDITOR_LABEL) in credits
    assert [(name, role) for name, role, _ in credits if role == "author"] == [("Naufal Zuhdi", "author")]


def test_a_page_of_labels_is_read_to_a_bound() -> None:
    body = "<article>" + "<p>Editor: Jane Doe</p>" * 30_000 + "</article>"
    assert editors_of(body) == [("Jane Doe", "editor")]
    # Labels past the first fifty are not read: each would be read whole (nested, the page each time).
    many = "".join(f"<p>Editor: Person Number{n}</p>" for n in range(60))
    assert len(editors_of(f"<article>{many}</article>")) == 50
