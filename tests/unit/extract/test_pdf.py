"""What a PDF says about itself: its Info and XMP metadata, and the byline printed on its first page."""

from __future__ import annotations

import pytest

from archive.extract import extract_bytes, has_extractor
from archive.extract.pdf import extract_pdf
from tests.conftest import shared_path

MEDIA = shared_path("corpus", "media")


def read(stem: str) -> bytes:
    [path] = MEDIA.glob(f"{stem}*.pdf")
    return path.read_bytes()


def test_pdfs_are_read() -> None:
    assert has_extractor("application/pdf")
    assert extract_bytes(read("dev-pdf03"), "application/pdf").title is not None


def test_metadata_values_carry_the_field_they_came_from() -> None:
    extraction = extract_pdf(read("dev-pdf03"))

    assert extraction.title is not None
    assert (extraction.title.value, extraction.title.field) == ("TCPDF Example 055", "XMP-dc:Title")
    assert [(c.name, c.role, c.field) for c in extraction.credits] == [
        ("Nicola Asuni", "author", "XMP-dc:Creator")
    ]
    assert extraction.date_created is not None
    assert (extraction.date_created.value, extraction.date_created.field) == (
        "2015-08-02T12:22:19+00:00",
        "PDF:CreationDate",
    )
    assert extraction.modified_at is not None and extraction.modified_at.field == "PDF:ModDate"


def test_a_junk_metadata_author_loses_to_the_printed_byline() -> None:
    extraction = extract_pdf(read("dev-pdf01"))  # Info Author: ARRAY(0x2c7cf020)

    [credit] = extraction.credits
    assert credit.name == "Mohammad Chuttur"
    assert credit.rule == "pdf.byline"
    assert credit.span is not None and extraction.text is not None
    assert extraction.text[credit.span.start : credit.span.end] == "Mohammad Chuttur"


def test_the_xmp_list_of_creators_wins_over_a_single_info_author() -> None:
    extraction = extract_pdf(read("dev-pdf06"))

    assert [credit.name for credit in extraction.credits] == [f"author{n}" for n in range(1, 6)]


def test_placeholders_are_nobody_and_no_title() -> None:
    extraction = extract_pdf(read("dev-pdf12"))  # Author: User: Windows NT/95/98 User, Title: No Title

    assert extraction.credits == []
    assert extraction.title is None
    assert extraction.date_created is not None and extraction.date_created.value == "2025-03-03T10:18:03"


def test_an_encrypted_pdf_opens_with_the_empty_password() -> None:
    extraction = extract_pdf(read("dev-pdf11"))

    assert [credit.name for credit in extraction.credits] == ["Frank Voci"]
    assert extraction.problems == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"not a pdf at all",
    ],
)
def test_a_pdf_that_cannot_be_read_says_why_and_raises_nothing(data: bytes) -> None:
    extraction = extract_pdf(data)

    assert extraction.problems
    assert extraction.credits == []


@pytest.mark.parametrize("part", [2, 3, 10])
def test_a_truncated_pdf_says_why_and_raises_nothing(part: int) -> None:
    whole = read("dev-pdf08")
    extraction = extract_pdf(whole[: len(whole) // part])

    assert [problem.split(":")[0] for problem in extraction.problems] == ["the PDF cannot be read"]
    assert extraction.title is None
