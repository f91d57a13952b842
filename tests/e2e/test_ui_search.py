"""The web interface's search page: results with marked snippets, facets that narrow, and pages."""

from __future__ import annotations

import html
import re

from archive.roles import Role
from tests.e2e.conftest import Api
from tests.e2e.test_ui_pages import log_in

ARTICLES = [
    (
        "Council meets on parks",
        "The Gazette",
        "2024-03-01T10:00:00Z",
        "The mayor spoke about <parks> & trees.",
    ),
    ("Harbour visit", "Coast News", "2023-07-09T10:00:00Z", "The mayor visited the harbour."),
    ("Gardens", "The Gazette", "2024-05-01T10:00:00Z", "Nothing about the subject."),
]


def _archive(api: Api) -> None:
    for title, publisher, published_at, text in ARTICLES:
        metadata = {"title": title, "publisher": publisher, "published_at": published_at, "language": "en"}
        created = api.upload(f"Intro.\n\n{text}".encode(), metadata=metadata)
        assert created.status_code == 201, created.text


def _facet_link(page: str, facet: str, value: str) -> str:
    section = page.split(f'id="facet-{facet}"', 1)[1].split("</section>", 1)[0]
    match = re.search(r'<a href="([^"]+)">' + re.escape(value) + "</a>", section)
    assert match is not None, section
    return html.unescape(match.group(1))


def test_search_page_marks_snippets_and_narrows_by_facets(api: Api) -> None:
    _archive(api)
    log_in(api, Role.READER)
    assert 'action="/ui/search"' in api.client.get("/ui/").text  # the documents page's search box
    page = api.client.get("/ui/search", params={"q": "mayors"})
    assert page.status_code == 200, page.text
    text = page.text
    assert (
        "Council meets on parks" in text
        and "Harbour visit" in text
        and "Gardens" not in text.split("</aside>")[1]
    )
    assert "<mark>mayor</mark>" in text and "&lt;parks&gt; &amp; trees" in text and "<parks>" not in text
    narrowed = api.client.get(_facet_link(text, "publisher", "Coast News")).text
    assert "Harbour visit" in narrowed and "Council meets on parks" not in narrowed
    by_year = api.client.get(_facet_link(text, "year", "2024")).text
    assert "Council meets on parks" in by_year and "Harbour visit" not in by_year
    nothing = api.client.get("/ui/search", params={"q": '-"only"'}).text
    assert "no word to look for" in nothing


def test_search_page_refuses_what_it_cannot_read(api: Api) -> None:
    log_in(api, Role.READER)
    assert api.client.get("/ui/search", params={"role": "boss"}).status_code == 422
    assert api.client.get("/ui/search", params={"language": "en glish"}).status_code == 422
    assert api.client.get("/ui/search", params={"q": "x" * 1001}).status_code == 422
