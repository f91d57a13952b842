"""Photo credits the markup sets apart in ways of its own: microdata, a wrapper's sibling, the credit set
above the caption, an image's `title`, and a label that is no caption; and the Japanese captions' own
forms of a printed credit."""

from __future__ import annotations

import lxml.html
import pytest

from archive.extract.html import extract_html
from archive.extract.html_credit_text import split_printed_credit
from archive.extract.html_photos_declared import photos_in_image_titles

PARAGRAPHS = (
    "<p>The city council voted on Tuesday to expand the harbour, a decision that has divided residents for "
    "more than a decade and will reshape the waterfront for a generation.</p>"
    "<p>Supporters say the expansion will bring jobs and trade, while opponents warn of the cost to the "
    "marshes and the birds that nest there every spring.</p>"
)


def photos(markup: str) -> list[tuple[str | None, str | None, str]]:
    html = f"<html><head><title>Harbour</title></head><body><article><h1>Harbour</h1>{PARAGRAPHS}{markup}"
    html += f"{PARAGRAPHS}</article></body></html>"
    return [(photo.caption, photo.credit, photo.rule) for photo in extract_html(html.encode()).photos]


def test_a_second_figcaption_marked_as_the_pictures_author_is_its_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><div class="caption">'
        '<figcaption itemprop="caption">Cranes over the harbour at dawn on Monday.</figcaption>'
        '<figcaption itemprop="author">Jane Doe/Ritzau Scanpix</figcaption></div></figure>'
    )
    assert photos(figure) == [
        ("Cranes over the harbour at dawn on Monday.", "Jane Doe/Ritzau Scanpix", "html.figcaption")
    ]


def test_a_credit_beside_the_captions_wrapper_completes_the_figure() -> None:
    """The figure, read first without a credit, gives way to the same caption read with its credit."""
    markup = (
        '<figure><img src="a.jpg"><figcaption>Cranes over the harbour at dawn.</figcaption></figure>'
        '<section class="image-meta-data">'
        '<div><div class="image-description">Cranes over the harbour at dawn.</div></div>'
        '<div><div class="image-copyright">picture alliance / dpa | Jane Doe</div></div></section>'
    )
    assert photos(markup) == [
        ("Cranes over the harbour at dawn.", "picture alliance / dpa | Jane Doe", "html.caption")
    ]


def test_a_teasers_author_beside_a_wrapper_is_no_photo_credit() -> None:
    markup = (
        '<div class="image-teaser"><div><div class="image-description">Politics</div></div>'
        '<div><div class="author">Jane Doe</div></div></div>'
    )
    assert photos(markup) == []


def test_an_agency_set_above_the_caption_is_its_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption><span>The Harbour Shimbun</span><br>'
        "The leaders of seven parties take part in a debate on the harbour on Saturday.</figcaption></figure>"
    )
    assert photos(figure) == [
        (
            "The leaders of seven parties take part in a debate on the harbour on Saturday.",
            "The Harbour Shimbun",
            "html.figcaption",
        )
    ]


def test_a_sentence_that_begins_with_an_organisations_word_is_no_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption><b>Police</b> officers close the road to the harbour '
        "on Monday morning.</figcaption></figure>"
    )
    assert [credit for _, credit, _ in photos(figure)] == [None]


def test_a_label_and_what_it_names_is_no_captioned_photo() -> None:
    assert photos('<small class="caption2">Bron: <!-- -->BELGA</small>') == []


def test_an_image_title_gives_the_credit_the_page_does_not_print() -> None:
    markup = (
        '<div class="image"><img src="a.jpg" alt="Cranes over the harbour" '
        'title="Cranes over the harbour | Getty Images/Jane Doe"></div>'
        '<div class="info"><p>Cranes over the harbour</p></div>'
    )
    assert photos(markup) == [("Cranes over the harbour", "Getty Images/Jane Doe", "html.img-title")]


def test_an_image_title_is_not_read_where_it_cannot_be_trusted() -> None:
    markup = (
        # the alt says another thing: the title may be anything
        '<div><img src="a.jpg" alt="A crane" title="Cranes over the harbour | Getty Images"></div>'
        # a portrait named and nothing more, beside a byline
        '<div><img src="b.jpg" alt="Jane Doe" title="Jane Doe | dpa"></div>'
        # a teaser for another article
        '<div class="teaser"><div><img src="c.jpg" alt="Swimming pool" title="Swimming pool | imago"></div>'
        '<a href="/other-article.html">Pools open</a></div>'
        # inside a link
        '<a href="/gallery.html"><img src="d.jpg" alt="Boats" title="Boats | Reuters"></a>'
        # a person's name alone is no credit without a label
        '<div><img src="e.jpg" alt="Cranes at dusk" title="Cranes at dusk | Jane Doe"></div>'
    )
    assert photos(markup) == []


def test_an_image_title_repeats_nothing_the_page_prints_beside_the_picture() -> None:
    markup = (
        '<div class="media"><div class="imageWrapper"><img src="a.jpg" alt="Two people at work." '
        'title="Two people at work. | Bildrechte: MDR/Jane Doe"></div>'
        '<div class="mediaInfo"><span class="mediaSubtitle">About 45 pigs an hour pass through.</span>'
        '<span class="mediaRights">Bildrechte: MDR/Jane Doe</span></div></div>'
    )
    assert photos(markup) == [("About 45 pigs an hour pass through.", "MDR/Jane Doe", "html.caption")]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("韓国の国旗＝ＡＰ", ("韓国の国旗", "ＡＰ")),
        ("会見する首相＝共同", ("会見する首相", "共同")),
        ("日本代表の（左から）西田、石川（Ｃ）共同通信社", ("日本代表の（左から）西田、石川", "共同通信社")),
        (
            "気象庁で開かれた評価検討会＝１３日午後（代表撮影）",
            ("気象庁で開かれた評価検討会＝１３日午後", "代表"),
        ),
        ("通話試験を行う技官（警視庁提供）", ("通話試験を行う技官", "警視庁")),
        # the day or the place after the equals sign is no credit
        ("会見する首相＝１３日", ("会見する首相＝１３日", None)),
        ("会見する首相＝東京都内で", ("会見する首相＝東京都内で", None)),
        ("国会前の警察官ら（ソウルで、３日）", ("国会前の警察官ら（ソウルで、３日）", None)),
        # outside Chinese and Japanese text an equals sign is only that
        ("The formula E=mc2", ("The formula E=mc2", None)),
    ],
)
def test_japanese_captions_print_their_credit_after_an_equals_sign_or_in_parentheses(
    caption: str, expected: tuple[str, str | None]
) -> None:
    assert split_printed_credit(caption) == expected


def test_an_author_inside_a_figures_caption_is_the_pictures_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption class="image-footer"><span class="title">'
        'Cranes over the harbour at dawn <span class="author"> EFE/ Jane Doe</span></span>'
        "</figcaption></figure>"
    )
    assert photos(figure) == [("Cranes over the harbour at dawn", "EFE/ Jane Doe", "html.figcaption")]


def test_a_class_naming_the_picture_author_in_german_is_a_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><div class="caption-content"><div class="bildautor">Bild: SN/APA/Jane Doe'
        "</div><div>Cranes over the harbour at dawn</div></div></figure>"
    )
    assert [credit for _, credit, _ in photos(figure)] == ["SN/APA/Jane Doe"]


@pytest.mark.parametrize(
    ("caption", "credit"),
    [
        ("Y bác sĩ nội soi cho bệnh nhân. Ảnh: Bệnh viện cung cấp", "Ảnh: Bệnh viện cung cấp"),
        ("Rais akihutubia mkutano. Picha: Ikulu", "Picha: Ikulu"),
        ("Presiden menyampaikan pidato. Sumber: Antara", "Sumber: Antara"),
        ("Rejoice Ndlovu. Isithombe: Sithunyelwe", "Isithombe: Sithunyelwe"),
    ],
)
def test_photo_labels_of_more_languages(caption: str, credit: str) -> None:
    assert split_printed_credit(caption)[1] == credit


def test_a_page_of_thousands_of_titled_images_is_read_to_a_bound() -> None:
    images = "".join(
        f'<div><img src="{n}.jpg" alt="Boat {n} in the harbour" '
        f'title="Boat {n} in the harbour | Reuters"></div>'
        for n in range(1000)
    )
    tree = lxml.html.fromstring(f"<html><body><article><h1>Harbour</h1>{images}</article></body></html>")
    readings = photos_in_image_titles(tree)
    assert len(readings) == 100
    assert readings[0].caption == "Boat 0 in the harbour"
    assert readings[0].credit_raw == "Reuters"
