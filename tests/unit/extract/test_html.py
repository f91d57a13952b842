"""The HTML extractor on small hand-written pages: one source or rule at a time, and hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

# extract_html runs the text rules only when their module imports; the contributor-line test needs them.
import archive.extract.text  # noqa: F401
from archive.extract.html import extract_html
from archive.extract.html_authors import AuthorCandidate, author_list_candidates, choose_authors
from archive.extract.html_credit_text import split_printed_credit
from archive.extract.html_names import credit_agents, name_kind, split_author_names, strip_credit_label
from archive.extract.html_titles import strip_site_name
from archive.extract.model import Extraction

BODY = (
    "<article><h1>{h1}</h1>{byline}"
    "<p>The city council voted on Tuesday to expand the harbour, a decision that has divided residents for "
    "more than a decade and will reshape the waterfront for a generation.</p>"
    "<p>Supporters say the expansion will bring jobs and trade, while opponents warn of the cost to the "
    "marshes and the birds that nest there every spring.</p>"
    "<p>The vote was seven to four, and construction is expected to begin next year once the last permits "
    "are granted by the regional authority.</p>{extra}</article>"
)


def page(
    *,
    head: str = "",
    jsonld: list[dict[str, Any]] | dict[str, Any] | None = None,
    h1: str = "Harbour expansion approved",
    byline: str = "",
    extra: str = "",
) -> bytes:
    scripts = ""
    if jsonld is not None:
        scripts = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    body = BODY.format(h1=h1, byline=byline, extra=extra)
    return f"<!DOCTYPE html><html lang='en'><head>{head}{scripts}</head><body>{body}</body></html>".encode()


def article(**fields: Any) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **fields}


def author_names(extraction: Extraction) -> list[str]:
    return [credit.name for credit in extraction.credits if credit.role == "author"]


# --- authors -------------------------------------------------------------------------------------------


def test_jsonld_author_list_in_byline_order_with_references_resolved() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            article(
                headline="Harbour expansion approved",
                author=[{"@type": "Person", "name": "Ana Lima"}, {"@id": "#/person/2"}],
            ),
            {"@type": "Person", "@id": "#/person/2", "name": "Bo Chen"},
        ],
    }
    extraction = extract_html(page(jsonld=graph, head='<meta name="author" content="Someone Else">'))
    assert author_names(extraction) == ["Ana Lima", "Bo Chen"]
    assert {credit.rule for credit in extraction.credits} == {"jsonld.NewsArticle.author"}
    assert {credit.kind for credit in extraction.credits} == {"person"}


def test_an_author_string_is_split_into_names() -> None:
    extraction = extract_html(page(jsonld=article(author="By Ana Lima, Bo Chen and Cy Dow")))
    assert author_names(extraction) == ["Ana Lima", "Bo Chen", "Cy Dow"]


def test_meta_author_when_there_is_no_schema_org_author() -> None:
    head = (
        '<meta property="article:author" content="https://example.com/authors/ana-lima">'
        '<meta name="author" content="Ana Lima; Bo Chen">'
    )
    extraction = extract_html(page(head=head))
    assert author_names(extraction) == ["Ana Lima", "Bo Chen"]
    assert extraction.credits[0].rule == "meta.author"  # the URL in article:author names no one


def test_the_site_name_gives_way_to_a_person_named_elsewhere() -> None:
    head = '<meta property="og:site_name" content="Harbour Gazette">'
    byline = "<p><strong>Ana Lima/Bo Chen</strong></p>"
    extraction = extract_html(
        page(head=head, jsonld=article(author={"name": "Harbour Gazette"}), byline=byline)
    )
    assert author_names(extraction) == ["Ana Lima", "Bo Chen"]
    assert extraction.text is not None
    for credit in extraction.credits:
        assert credit.span is not None
        assert extraction.text[credit.span.start : credit.span.end] == credit.name


def test_a_byline_line_names_the_author_where_the_metadata_names_the_site() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour Gazette">'
        '<meta name="author" content="Harbour Gazette">'
    )
    byline = '<p class="meta-info"> von <a href="/autoren/kolter">Dr. Max Kolter</a> </p>'
    extraction = extract_html(page(head=head, byline=byline))
    assert [(c.name, c.rule) for c in extraction.credits] == [("Dr. Max Kolter", "html.byline_line")]


def test_a_labelled_author_line_and_an_author_element() -> None:
    labelled = (
        "<ul><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autorin/Autor</strong> Ana Lima</li></ul>"
    )
    assert author_names(extract_html(page(byline=labelled))) == ["Ana Lima"]
    element = '<span class="article__author">Von Bo Chen, 05.08.2024, 20:59 Uhr</span>'
    assert author_names(extract_html(page(byline=element))) == ["Bo Chen"]  # not the date and time


def test_author_lists_propose_their_people_alone_and_the_union_of_sources() -> None:
    jsonld = [AuthorCandidate("Ana Lima", "jsonld.NewsArticle.author")]
    meta = [AuthorCandidate("Bo Chen", "meta.author"), AuthorCandidate("Harbour Desk", "meta.author")]
    byline = [AuthorCandidate("Cy Dow", "html.byline")]
    lists = [jsonld, [], meta, [], byline, [], [], [], []]
    candidates = author_list_candidates(lists, ["Harbour Gazette"])
    by_names = {tuple(a.name for a in c.value): c.features for c in candidates}
    assert set(by_names) == {
        ("Ana Lima",),
        ("Bo Chen", "Harbour Desk"),
        ("Bo Chen",),
        ("Cy Dow",),
        ("Ana Lima", "Cy Dow"),
        (),
    }
    assert {"src:jsonld", "first_real", "all_people"} <= set(by_names[("Ana Lima",)])
    assert "people_of_mixed" in by_names[("Bo Chen",)]
    assert "union" in by_names[("Ana Lima", "Cy Dow")]
    assert by_names[()] == {"nobody": 1.0}
    # with no weights, the first source naming someone wins, whole
    assert [c.name for c in choose_authors(lists, ["Harbour Gazette"], weights={})] == ["Ana Lima"]
    # weights decide otherwise
    chosen = choose_authors(lists, ["Harbour Gazette"], weights={"union": 5.0})
    assert [c.name for c in chosen] == ["Ana Lima", "Cy Dow"]


def test_an_agency_is_kept_when_no_person_is_named() -> None:
    head = '<meta property="og:site_name" content="Harbour Gazette">'
    extraction = extract_html(
        page(head=head, jsonld=article(author=[{"@type": "Person", "name": "Associated Press"}]))
    )
    assert [(c.name, c.kind) for c in extraction.credits] == [("Associated Press", "organization")]


def test_staff_placeholders_and_urls_are_not_authors() -> None:
    extraction = extract_html(
        page(jsonld=article(author=["Staff", "https://example.com/people/x", "Ana Lima"]))
    )
    assert author_names(extraction) == ["Ana Lima"]


@pytest.mark.parametrize("placeholder", ["Nachrichten", "Redaktion", "Rédaction", "Haber Merkezi", "News"])
def test_the_newsrooms_placeholder_in_any_language_is_no_author(placeholder: str) -> None:
    person = {"@type": "Person", "name": placeholder}
    assert author_names(extract_html(page(jsonld=article(author=person)))) == []
    assert author_names(extract_html(page(jsonld=article(author=[person, "Ana Lima"])))) == ["Ana Lima"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("By Ana Lima and Bo Chen", ["Ana Lima", "Bo Chen"]),
        ("Ana Lima; Bo Chen & Cy Dow", ["Ana Lima", "Bo Chen", "Cy Dow"]),
        ("Sam Jones in Madrid", ["Sam Jones"]),
        ("https://example.com/authors", []),
    ],
)
def test_split_author_names(value: str, names: list[str]) -> None:
    assert split_author_names(value) == names


def test_name_kinds() -> None:
    assert name_kind("Ana Lima") == "person"
    assert name_kind("GHULAM RASOOL") == "person"
    assert name_kind("Associated Press") == "organization"
    assert name_kind("Getty Images") == "organization"
    assert name_kind("GCIS") == "organization"


# --- titles, publisher, language -----------------------------------------------------------------------


def test_title_suffix_naming_the_site_is_stripped() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour Gazette">'
        '<meta property="og:title" content="Harbour expansion approved | Harbour Gazette">'
    )
    extraction = extract_html(page(head=head))
    assert extraction.title is not None
    assert (extraction.title.value, extraction.title.rule) == ("Harbour expansion approved", "meta.og:title")
    assert extraction.publisher is not None and extraction.publisher.value == "Harbour Gazette"
    assert extraction.language is not None and extraction.language.value == "en"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Harbour expansion approved - Harbour Gazette", "Harbour expansion approved"),
        ("Harbour Gazette | Harbour expansion approved", "Harbour expansion approved"),
        (
            "Harbour expansion approved | Politics | Harbour Gazette News",
            "Harbour expansion approved | Politics",
        ),
        ("BUDGET 3.0 | Harbour expansion approved", "BUDGET 3.0 | Harbour expansion approved"),
        # the site's name attached without spaces, after a section's name or alone
        ("Harbour expansion approved-Politics\u3163Harbour Gazette", "Harbour expansion approved"),
        ("Harbour expansion approved\uff5cHarbour Gazette", "Harbour expansion approved"),
        ("Harbour expansion approved \uff5c Harbour Gazette", "Harbour expansion approved"),
        # a hyphenated word is not a separator, nor is a tail that is not the site's name
        ("Harbour-Gazette-style expansion approved", "Harbour-Gazette-style expansion approved"),
        ("Harbour expansion approved-Politics|Weather", "Harbour expansion approved-Politics|Weather"),
    ],
)
def test_strip_site_name(title: str, expected: str) -> None:
    assert strip_site_name(title, ["Harbour Gazette"]) == expected


def test_only_a_titles_end_is_searched_for_a_site_name_attached_without_spaces() -> None:
    """A hostile title of thousands of dashes is not searched from each of them (which would take
    minutes): only its last characters are, where a site's name and a section's name are printed."""
    hostile = "-a" * 50_000 + "|" + "b" * 10
    assert strip_site_name(hostile, ["Harbour Gazette"]) == hostile
    far = "Harbour expansion approved-Politics|Harbour Gazette" + " " * 120
    assert strip_site_name(far, ["Harbour Gazette"]) == far
    near = "Harbour expansion approved-Politics|Harbour Gazette"
    assert strip_site_name(near, ["Harbour Gazette"]) == "Harbour expansion approved"


def test_schema_headline_is_preferred_when_another_source_confirms_it() -> None:
    head = (
        "<title>Harbour expansion approved after decade of debate | Gazette</title>"
        '<meta property="og:title" content="Council says yes to the harbour">'
    )
    extraction = extract_html(
        page(head=head, jsonld=article(headline="Harbour expansion approved after decade of debate"))
    )
    assert extraction.title is not None
    assert extraction.title.value == "Harbour expansion approved after decade of debate"
    assert extraction.title.rule == "jsonld.NewsArticle.headline"


def test_schema_headline_no_other_source_resembles_is_a_deck() -> None:
    head = (
        "<title>Harbour expansion approved - Gazette</title>"
        '<meta property="og:title" content="Harbour expansion approved">'
    )
    extraction = extract_html(page(head=head, jsonld=article(headline="... and the birds lose out")))
    assert extraction.title is not None and extraction.title.value == "Harbour expansion approved"


# --- dates ---------------------------------------------------------------------------------------------


def test_jsonld_date_published_is_preferred_to_meta_and_htmldate() -> None:
    head = '<meta property="article:published_time" content="2024-03-02T08:00:00Z">'
    extraction = extract_html(page(head=head, jsonld=article(datePublished="2024-03-01T10:30:00-05:00")))
    assert extraction.published_at is not None
    assert extraction.published_at.value == datetime(2024, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert extraction.published_at.rule == "jsonld.NewsArticle.datePublished"


def test_article_published_time_without_schema_org() -> None:
    head = '<meta property="article:published_time" content="2024-03-02T08:00:00+01:00">'
    extraction = extract_html(page(head=head))
    assert extraction.published_at is not None
    assert extraction.published_at.rule == "meta.article:published_time"
    assert extraction.published_at.value.utcoffset() == timedelta(hours=1)


def test_a_date_without_time_is_midnight_utc() -> None:
    extraction = extract_html(page(jsonld=article(datePublished="2024-03-01", dateModified="2024-03-04")))
    assert extraction.published_at is not None
    assert extraction.published_at.value == datetime(2024, 3, 1, tzinfo=UTC)
    assert extraction.modified_at is not None and extraction.modified_at.value == datetime(
        2024, 3, 4, tzinfo=UTC
    )


def test_htmldate_when_nothing_else_dates_the_page() -> None:
    extraction = extract_html(
        page(extra='<p class="date">Published <time datetime="2023-05-15">May 15, 2023</time></p>')
    )
    assert extraction.published_at is not None
    assert extraction.published_at.value.date().isoformat() == "2023-05-15"
    assert extraction.published_at.value.tzinfo is not None


# --- photos --------------------------------------------------------------------------------------------


def test_figcaption_with_trailing_agency_credit() -> None:
    figure = (
        '<figure><img src="a.jpg" alt=""><figcaption>Cranes at the harbour on Monday. '
        "(AP Photo/Jane Doe)</figcaption></figure>"
    )
    extraction = extract_html(page(extra=figure))
    [photo] = extraction.photos
    assert (photo.caption, photo.credit, photo.rule) == (
        "Cranes at the harbour on Monday.",
        "AP Photo/Jane Doe",
        "html.figcaption",
    )
    assert [(c.name, c.role, c.kind) for c in photo.credits] == [
        ("AP", "photo_credit", "organization"),
        ("Jane Doe", "photographer", "person"),
    ]


def test_figcaption_with_a_credit_element_and_a_distributor() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption><span class="caption">Cranes at the harbour.</span> '
        '<span class="credit">Photo by JANE DOE</span> /<span class="distributor">AFP via Getty Images</span>'
        "</figcaption></figure>"
    )
    [photo] = extract_html(page(extra=figure)).photos
    assert photo.caption == "Cranes at the harbour."
    assert photo.credit == "JANE DOE /AFP via Getty Images"
    assert [(c.name, c.role) for c in photo.credits] == [
        ("JANE DOE", "photographer"),
        ("AFP via Getty Images", "photo_credit"),
    ]


def test_caption_outside_a_figure_with_a_labelled_credit() -> None:
    block = '<div class="image-caption">Cranes at the harbour. — Picture by Jane Doe</div>'
    [photo] = extract_html(page(extra=block)).photos
    assert (photo.caption, photo.credit, photo.rule) == ("Cranes at the harbour.", "Jane Doe", "html.caption")


def test_image_credit_text_from_jsonld() -> None:
    image = {
        "@type": "ImageObject",
        "url": "https://example.com/a.jpg",
        "caption": "Cranes.",
        "creditText": "Jane Doe/Reuters",
    }
    owner = {
        "@type": "ImageObject",
        "url": "https://example.com/b.jpg",
        "copyrightHolder": {"@type": "Organization", "name": "Port Authority"},
    }
    extraction = extract_html(page(jsonld=article(image=[image, owner])))
    assert [(p.caption, p.credit, p.rule) for p in extraction.photos] == [
        ("Cranes.", "Jane Doe/Reuters", "jsonld.image.creditText"),
        (None, "Port Authority", "jsonld.image.copyrightHolder"),
    ]


def test_a_printed_photo_is_not_repeated_from_jsonld() -> None:
    image = {"@type": "ImageObject", "caption": "Cranes at the harbour on Monday.", "creditText": "Jane Doe"}
    figure = (
        '<figure><img src="a.jpg"><figcaption>Cranes at the harbour on Monday. '
        "Photograph: Jane Doe/Reuters</figcaption></figure>"
    )
    extraction = extract_html(page(jsonld=article(image=image), extra=figure))
    assert [(p.credit, p.rule) for p in extraction.photos] == [("Jane Doe/Reuters", "html.figcaption")]


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Foto: Jana Nowak/dpa", "Jana Nowak/dpa"),
        ("Bild: SN/APA/Lea Berg", "SN/APA/Lea Berg"),
        ("Symbolfoto: picture alliance/dpa | Hannes Roth", "picture alliance/dpa | Hannes Roth"),
        ("Quelle: Max Ernst/dpa", "Max Ernst/dpa"),
        ("Crédit photo : AFP", "AFP"),
        ("Fuente: EFE", "EFE"),
        ("Источник: Фонд Север", "Фонд Север"),
        ("사진 출처 = 연합뉴스", "연합뉴스"),
        ("Copyright Ana Lima/Copyright 2024 The AP. All rights reserved",
         "Ana Lima/Copyright 2024 The AP. All rights reserved"),
        ("BILD 15.05.2023", "BILD 15.05.2023"),  # a name, not a label: no colon
        ("Foto: Bild Från Polisen.", "Bild Från Polisen."),
    ],
)  # fmt: skip
def test_credit_labels_in_other_languages(credit: str, expected: str) -> None:
    assert strip_credit_label(credit) == expected


def test_a_rights_notice_and_a_reporters_title_are_not_names() -> None:
    agents = credit_agents("Ana Lima/Copyright 2024 The AP. All rights reserved")
    assert [(a.name, a.role) for a in agents] == [("Ana Lima", "photographer")]
    agents = credit_agents("Copyright 2024 Reuters")
    assert [(a.name, a.kind) for a in agents] == [("Reuters", "organization")]
    assert [(a.name, a.role, a.kind) for a in credit_agents("고영권 기자")] == [
        ("고영권", "photographer", "person")
    ]


def test_a_credit_block_above_the_caption_is_not_run_into_it() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption><div class="image__copyright">BILD: SN/APA/Lea Berg</div>'
        '<div class="image__description">Die neue Brücke am Hafen</div></figcaption></figure>'
    )
    [photo] = extract_html(page(extra=figure)).photos
    assert (photo.caption, photo.credit) == ("Die neue Brücke am Hafen", "SN/APA/Lea Berg")


def test_a_credit_element_ends_where_its_line_does() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption><div class="copyright">Max Ernst/REUTERS</div>'
        '<div class="caption">Soldaten im Einsatz (Kundus, 2010)</div></figcaption></figure>'
        '<div class="media-caption"><div class="media-caption__title">Radio feature</div>'
        '<div class="media-caption__source">From the morning show '
        '<span class="media-caption__image-copyright">Bild: Keystone/Lea Berg</span></div>'
        '<span class="offscreen">Play. 8 minutes.</span></div>'
    )
    photos = extract_html(page(extra=figure)).photos
    assert [(p.caption, p.credit) for p in photos] == [
        ("Soldaten im Einsatz (Kundus, 2010)", "Max Ernst/REUTERS"),
        ("Radio feature", "Keystone/Lea Berg"),
    ]


def test_the_innermost_credit_element_is_the_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><span class="image-source-caption"><figcaption>'
        '<span class="image-caption-text">Cranes at the harbour.</span>'
        '<span class="image-source">Jane Doe/Getty Images</span></figcaption></span></figure>'
    )
    [photo] = extract_html(page(extra=figure)).photos
    assert (photo.caption, photo.credit) == ("Cranes at the harbour.", "Jane Doe/Getty Images")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # the credit in a second element of the figcaption, with no class to say so
        ('<figure><img src="a.jpg"><figcaption><span>Viel Ruhe hilft.</span>'
         "<span>Unsplash/Kelly Roe</span></figcaption></figure>",
         ("Viel Ruhe hilft.", "Unsplash/Kelly Roe")),
        # a footer after the figcaption
        ('<figure><picture><img src="a.jpg"></picture><figcaption>Nach der Demo in Hamburg.</figcaption>'
         "<footer>Imago/Blaulicht-News.de</footer></figure>",
         ("Nach der Demo in Hamburg.", "Imago/Blaulicht-News.de")),
        # a figcaption outside any figure
        ('<div><figure><img src="a.jpg"></figure><figcaption><span>Demonstration im September.</span> '
         "<span>Uncredited/AP/dpa</span></figcaption></div>",
         ("Demonstration im September.", "Uncredited/AP/dpa")),
        # a labelled part first
        ('<figure><img src="a.jpg"><figcaption><span>Foto: Jan Turek, Zprávy</span>'
         "<span>Petr Novák.</span></figcaption></figure>", ("Petr Novák.", "Jan Turek, Zprávy")),
        # an agency alone after the caption, in a caption element
        ('<div class="caption"><div>Chelsea beat Tottenham on Thursday night</div>'
         "<div>Getty Images</div></div>", ("Chelsea beat Tottenham on Thursday night", "Getty Images")),
    ],
)  # fmt: skip
def test_a_caption_printed_in_two_parts(markup: str, expected: tuple[str, str]) -> None:
    [photo] = extract_html(page(extra=markup)).photos
    assert (photo.caption, photo.credit) == expected


def test_two_parts_that_are_not_a_caption_and_a_credit() -> None:
    markup = (
        '<figure><img src="a.jpg"><figcaption><span>The new bridge.</span> <span>Read more</span>'
        "</figcaption></figure>"
        '<div class="caption"><div>Chelsea beat Tottenham on Thursday night</div>'
        "<div>Mauricio Pochettino</div></div>"
    )
    photos = extract_html(page(extra=markup)).photos
    assert [(p.caption, p.credit) for p in photos] == [("The new bridge. Read more", None)]


def test_a_labelled_credit_beside_an_image_without_a_class() -> None:
    markup = (
        '<div><span class="block text-sm">Foto: Deja Gaston</span><img src="a.jpg">'
        '<div class="text-base">Protest in Nairobi</div></div>'
        '<div><img src="logo.png"><p>© 2025 Funke Mediengruppe</p></div>'
        '<div><img src="b.jpg"><p>Quelle: ntv.de</p></div>'
    )
    photos = extract_html(page(extra=markup)).photos
    assert [(p.caption, p.credit, p.rule) for p in photos] == [(None, "Deja Gaston", "html.image-credit")]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("유세에서 연설하고 있다. 연합뉴스", ("유세에서 연설하고 있다.", "연합뉴스")),
        ("큰절을 올리고 있다. 고영권 기자", ("큰절을 올리고 있다.", "고영권 기자")),
        ("인사하고 있다. [사진 = 김혜진 기자]", ("인사하고 있다.", "사진 = 김혜진 기자")),
        ("The cabins were redesigned. Supplied", ("The cabins were redesigned.", "Supplied")),
        ("Chelsea beat Tottenham. Getty Images", ("Chelsea beat Tottenham.", "Getty Images")),
        ("Kawasaki geht, Foto: LAT Images", ("Kawasaki geht", "Foto: LAT Images")),
        ("Das Fest. Bild: Andreas Seidel/Archiv", ("Das Fest.", "Bild: Andreas Seidel/Archiv")),
        ("The minister and his deputy. File image", ("The minister and his deputy. File image", None)),
        ("The minister spoke. Then he left", ("The minister spoke. Then he left", None)),
    ],
)  # fmt: skip
def test_split_printed_credit_in_more_forms(caption: str, expected: tuple[str, str | None]) -> None:
    assert split_printed_credit(caption) == expected


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Crowds at the gate (Picture: Getty)", ("Crowds at the gate", "Picture: Getty")),
        ("Crowds at the gate. Credit: AFP/Getty", ("Crowds at the gate.", "Credit: AFP/Getty")),
        ("The mayor (left) speaks", ("The mayor (left) speaks", None)),
        ("The mayor speaks (left)", ("The mayor speaks (left)", None)),
        ("Officers at the scene. (U.S. District Court, Eastern District of New York)",
         ("Officers at the scene.", "U.S. District Court, Eastern District of New York")),
        ("He speaks. Credit\u2026Doug Mills/The Times", ("He speaks.", "Credit\u2026Doug Mills/The Times")),
        ("He speaks. Image source, Getty Images", ("He speaks.", "Image source, Getty Images")),
        ("Biden speaks on Tuesday. REUTERS/Jane Doe", ("Biden speaks on Tuesday.", "REUTERS/Jane Doe")),
        ("The NHS/BMA dispute goes on.", ("The NHS/BMA dispute goes on.", None)),
    ],
)  # fmt: skip
def test_split_printed_credit(caption: str, expected: tuple[str, str | None]) -> None:
    assert split_printed_credit(caption) == expected


def test_credit_lines() -> None:
    assert strip_credit_label("(Courtesy of Tanner Fischer)") == "Tanner Fischer"
    assert strip_credit_label("Image Credits: Strava") == "Strava"
    assert strip_credit_label("Image source, Getty Images") == "Getty Images"
    agents = credit_agents("Associated Press; photo illustration by Tim Hubbard / Los Angeles Times")
    assert [(a.name, a.role) for a in agents] == [
        ("Associated Press", "photo_credit"),
        ("Tim Hubbard", "illustrator"),
        ("Los Angeles Times", "photo_credit"),
    ]
    assert [a.name for a in credit_agents("AP Photo/Adel Hana, File")] == ["AP", "Adel Hana"]


# --- the text rules' findings ----------------------------------------------------------------------------


def test_contributor_lines_from_the_text_have_spans_into_the_text() -> None:
    extra = "<p>Bo Chen contributed to this report.</p>"
    extraction = extract_html(
        page(jsonld=article(author={"@type": "Person", "name": "Ana Lima"}), extra=extra)
    )
    assert [(c.name, c.role) for c in extraction.credits] == [
        ("Ana Lima", "author"),
        ("Bo Chen", "contributor"),
    ]
    contributor = extraction.credits[1]
    assert contributor.span is not None and extraction.text is not None
    assert extraction.text[contributor.span.start : contributor.span.end] == "Bo Chen"


def test_text_is_trafilatura_main_text() -> None:
    extraction = extract_html(page(extra="<script>var secret = 1;</script>"))
    assert extraction.text is not None
    assert "divided residents" in extraction.text
    assert "secret" not in extraction.text


# --- hostile input -------------------------------------------------------------------------------------


def test_an_oversized_page_is_not_parsed() -> None:
    html = page() + b" " * 2000
    extraction = extract_html(html, max_bytes=1000)
    assert extraction.text is None and extraction.title is None
    assert extraction.problems == [f"page too large to parse ({len(html)} bytes)"]


@pytest.mark.parametrize(
    "html",
    [
        b"",
        bytes(range(256)) * 8,
        b"<html>\x00<body>\x00\x01</body></html>",
        b"<div>" * 5000 + b"deep" + b"</div>" * 5000,
    ],
    ids=["empty", "binary", "control-characters", "deeply-nested"],
)
def test_malformed_pages_give_an_extraction_never_an_exception(html: bytes) -> None:
    extraction = extract_html(html)
    assert isinstance(extraction, Extraction)
    assert extraction.problems  # nothing to read is a problem, said as one


def test_unclosed_markup_is_read_as_far_as_it_goes() -> None:
    extraction = extract_html(
        b"<html><body><div><p>Unclosed <b>bold <figure><figcaption>Cranes (Photo: Jane Doe"
    )
    assert [(photo.caption, photo.credit) for photo in extraction.photos] == [("Cranes", "Jane Doe")]


def test_an_external_entity_is_never_resolved() -> None:
    html = (
        b'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<html><body><article><p>Start &xxe; end of a paragraph long enough to be the main text of this "
        b"page, which trafilatura keeps.</p></article></body></html>"
    )
    extraction = extract_html(html)
    assert isinstance(extraction, Extraction)
    assert "root:" not in (extraction.text or "")


def test_a_script_heavy_page_gives_problems_not_an_exception() -> None:
    html = (
        b"<html><head>"
        + b"<script>var a = '<p>not text</p>';</script>" * 3000
        + b"</head><body></body></html>"
    )
    extraction = extract_html(html)
    assert extraction.text is None
    assert "no main text found" in extraction.problems


def test_a_broken_jsonld_block_costs_only_itself() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<meta property="og:title" content="Harbour expansion approved">'
    )
    extraction = extract_html(page(head=head))
    assert extraction.title is not None and extraction.title.value == "Harbour expansion approved"
    assert any(problem.startswith("json-ld could not be read") for problem in extraction.problems)


def test_title_candidates_merge_the_sources_that_agree() -> None:
    from archive.extract.html import site_name_candidates  # noqa: PLC0415
    from archive.extract.html_sources import decode_html, read_sources  # noqa: PLC0415
    from archive.extract.html_titles import title_candidates  # noqa: PLC0415

    html = page(
        head=(
            "<title>Harbour expansion approved | Harbour Gazette</title>"
            '<meta property="og:title" content="Harbour expansion approved">'
            '<meta property="og:site_name" content="Harbour Gazette">'
        ),
        h1="Harbour expansion \u201capproved\u201d today",
    )
    sources = read_sources(decode_html(html), None)

    candidates = title_candidates(sources, site_name_candidates(sources))

    [agreed, quoted] = candidates
    assert agreed.value == "Harbour expansion approved"
    assert {"src:og", "src:title_tag", "had_site_name"} <= set(agreed.features)
    assert quoted.value == "Harbour expansion \u201capproved\u201d today"
    assert {"src:h1_first", "h1_in_article"} <= set(quoted.features)
    assert agreed.features["agreement"] > quoted.features["agreement"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Monika Bolliger und Anna Trechsel, Sweidah", ["Monika Bolliger", "Anna Trechsel", "Sweidah"]),
        ("Von Anna Martel und Lea Wagner", ["Anna Martel", "Lea Wagner"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Av Kari Nordmann og Ola Hansen", ["Kari Nordmann", "Ola Hansen"]),
        ("Yazan Ayşe Yılmaz ve Mehmet Demir", ["Ayşe Yılmaz", "Mehmet Demir"]),  # noqa: RUF001  (Turkish dotless i)
        ("Juan Pérez y María López", ["Juan Pérez", "María López"]),
        ("José Ortega y Gasset", ["José Ortega y Gasset"]),
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("Ángel Di María", ["Ángel Di María"]),
        ("Elena Oberholzer (obe)", ["Elena Oberholzer"]),
        ("신현주 기자", ["신현주"]),
        ("Capital Von Jemima Kelly", ["Jemima Kelly"]),
        ("von David Straub, MDR THÜRINGEN", ["David Straub", "MDR THÜRINGEN"]),
        ("von Dr. Max Kolter", ["Dr. Max Kolter"]),
        ("Autorin/Autor Roman Goncharenko", ["Roman Goncharenko"]),
        ("Author: Jane Doe", ["Jane Doe"]),
        ("von der Leyen", ["von der Leyen"]),
    ],
)
def test_bylines_in_other_languages_are_split_on_their_list_words(value: str, names: list[str]) -> None:
    assert split_author_names(value) == names


@pytest.mark.parametrize(
    ("name", "site", "is_site"),
    [
        ("Mdr De", "mdr", True),
        ("n-tv NACHRICHTEN", "n-tv", True),
        ("Deutsche Welle (www.dw.com)", "dw", True),
        ("Dwayne Johnson", "dw", False),
        ("Mdrick Smith", "mdr", False),
        ("Harbour Gazette", "Harbour Gazette", True),
        ("Harbourgazette Com Developer", "harbourgazette", True),
        ("Harbourgazette Commons", "harbourgazette", False),
    ],
)
def test_a_site_named_after_its_host_is_the_site(name: str, site: str, is_site: bool) -> None:
    from archive.extract.html_names import is_site_name  # noqa: PLC0415

    assert is_site_name(name, [site]) is is_site


def test_times_written_without_an_offset_take_the_one_the_page_states() -> None:
    head = '<meta name="date" content="2023-04-28T18:11:01+02:00">'
    jsonld = article(datePublished="2023-04-28 18:11:01.0", dateModified="2023-04-28T18:43:01")

    extraction = extract_html(page(head=head, jsonld=jsonld))

    assert extraction.published_at is not None and extraction.modified_at is not None
    assert extraction.published_at.value.isoformat() == "2023-04-28T18:11:01+02:00"
    assert extraction.published_at.rule == "meta.date"  # the same moment, with its offset
    assert extraction.modified_at.value.isoformat() == "2023-04-28T18:43:01+02:00"
    assert extraction.modified_at.rule == "jsonld.NewsArticle.dateModified"


def test_a_modified_time_long_before_publication_is_a_drafts_not_a_change() -> None:
    jsonld = article(datePublished="2024-08-05T10:00:00+00:00", dateModified="2024-07-23T20:51:00+00:00")

    assert extract_html(page(jsonld=jsonld)).modified_at is None


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Yazan Ahmad", ["Yazan Ahmad"]),
        ("Ursula Von der Leyen", ["Ursula Von der Leyen"]),
        ("Diane Von Furstenberg and John Smith", ["Diane Von Furstenberg", "John Smith"]),
        ("Thomas a Kempis", ["Thomas a Kempis"]),
        ("Josep Puig i Cadafalch", ["Josep Puig i Cadafalch"]),
        ("John Smith et al.", ["John Smith"]),
        ("Jean-et-Marie Dupont", ["Jean-et-Marie Dupont"]),
        ("Par: Jean Dupont", ["Jean Dupont"]),
    ],
)
def test_names_that_only_look_like_bylines_or_lists_stay_whole(value: str, names: list[str]) -> None:
    assert split_author_names(value) == names


def test_a_structured_persons_name_loses_no_word() -> None:
    from archive.extract.html_names import split_listed_names  # noqa: PLC0415

    assert split_listed_names("Yazan Ahmad") == ["Yazan Ahmad"]
    assert split_listed_names("Par Lagerkvist") == ["Par Lagerkvist"]
    assert split_listed_names("Doe, Jane") == ["Doe, Jane"]
    assert split_listed_names("Martin Luther King, Jr.") == ["Martin Luther King, Jr."]
    assert split_listed_names("Anna Martel und Lea Wagner") == ["Anna Martel", "Lea Wagner"]


def test_a_person_whose_site_bears_their_name_is_still_a_person() -> None:
    from archive.extract.html_names import is_site_name  # noqa: PLC0415

    assert not is_site_name("Paul Graham", ["paulgraham"])
    assert is_site_name("LTO", ["lto"])


def test_a_named_zone_is_a_stated_offset() -> None:
    head = '<meta property="article:published_time" content="2024-05-01T06:00:00-05:00">'
    jsonld = article(dateModified="Wed, 01 May 2024 12:00:00 GMT")

    modified = extract_html(page(head=head, jsonld=jsonld)).modified_at

    assert modified is not None and modified.value.isoformat() == "2024-05-01T12:00:00+00:00"


ARTICLE_FIGURE = (
    '<figure><img src="a.jpg"><figcaption>Cranes at the harbour on Monday. '
    "Photograph: Jane Doe/Reuters</figcaption></figure>"
)


@pytest.mark.parametrize(
    "elsewhere",
    [
        # a list of related stories, each picture a link to its article
        '<ul><li><article><figure><a href="/news/other-story.html"><img src="b.jpg"></a>'
        "<figcaption>Ann Other/AFP</figcaption></figure><h3>Another story</h3></article></li></ul>",
        # a teaser block linking to another article
        '<div class="teaser"><a href="/news/more.html"><img src="c.jpg"></a>'
        '<p class="caption">Harbour cranes. Foto: Max Ernst/dpa</p></div>',
        # the page's footer and navigation
        '<footer><figure><img src="logo.png"><figcaption>Foto: Verlag GmbH/dpa</figcaption></figure>'
        "</footer>",
        '<nav><figure><img src="d.jpg"><figcaption>Menu picture. Photo: Nav Person/AP</figcaption>'
        "</figure></nav>",
        # a pull quote's attribution is no picture's credit
        '<aside class="pull-quote"><p>Words.</p><img src="e.jpg">'
        '<div class="quote-credit">Kate Example</div></aside>',
        # the site's own notice beside a picture
        '<div><img src="f.jpg"><p class="copyright">© Example News / example-news.de</p></div>',
    ],
)
def test_pictures_that_are_not_the_articles_give_no_credit(elsewhere: str) -> None:
    extraction = extract_html(page(extra=ARTICLE_FIGURE + elsewhere))
    assert [p.credit for p in extraction.photos] == ["Jane Doe/Reuters"]


def test_a_picture_linking_to_its_full_size_file_keeps_its_credit() -> None:
    figure = (
        '<ul><li><figure><a href="/media/cranes-large.jpg"><img src="a.jpg"></a>'
        "<figcaption>Cranes at the harbour on Monday. Photograph: Jane Doe/Reuters</figcaption>"
        "</figure></li></ul>"
    )
    assert [p.credit for p in extract_html(page(extra=figure)).photos] == ["Jane Doe/Reuters"]


@pytest.mark.parametrize(
    "caption",
    ["Cranes at the harbour on Monday. (Archivbild)", "Cranes at the harbour on Monday. (file photo)"],
)
def test_what_a_picture_is_is_not_who_made_it(caption: str) -> None:
    assert split_printed_credit(caption) == (caption, None)


def test_hidden_text_is_not_part_of_a_caption() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption><span class="caption">Smoke over the city at night.'
        '<span> Foto: Dan Example/AP</span></span><span class="show-more" hidden="">Visa mer</span>'
        "</figcaption></figure>"
    )
    assert [p.credit for p in extract_html(page(extra=figure)).photos] == ["Dan Example/AP"]


def test_the_company_behind_the_site_is_the_site() -> None:
    from archive.extract.html_names import is_site_name  # noqa: PLC0415

    assert is_site_name("Nikkei Inc", ["nikkei"])
    assert is_site_name("Example Media GmbH", ["example-media"])
    assert not is_site_name("Nikki Inc", ["nikkei"])


def test_a_name_one_source_gives_beside_the_sites_host_is_the_site_in_every_source() -> None:
    """One source writes "Deutsche Welle (www.dw.com)", another "Deutsche Welle": neither is a writer, so
    the byline's person is the author."""
    site = [AuthorCandidate("Deutsche Welle (www.dw.com)", "meta.author")]
    bare = [AuthorCandidate("Deutsche Welle", "trafilatura.author")]
    byline = [AuthorCandidate("Roman Example", "html.byline")]
    candidates = author_list_candidates([site, bare, byline], ["dw.com", "dw"])
    bare_list = next(c for c in candidates if [a.name for a in c.value] == ["Deutsche Welle"])
    assert "site_only" in bare_list.features
