"""What a PDF says about itself: its Info and XMP metadata, and the byline printed on its first page."""

from __future__ import annotations

import random

import pytest

from archive.extract import extract_bytes, has_extractor, without_nul
from archive.extract.model import Extraction, Found
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


def test_damaged_pdfs_never_raise() -> None:
    """Corpus PDFs with bytes flipped, tokens inserted and runs cut (a fixed seed): each read says why it
    failed or reads what it can, and never raises (pypdf raises assertions, unimplemented filters …)."""
    seeds = [read(stem) for stem in ("dev-pdf01", "dev-pdf03", "dev-pdf05", "dev-pdf08", "dev-pdf11")]
    tokens = [b"0", b"-1", b"99999999999", b"R", b"<<", b">>", b"[", b"/Filter", b"/FlateDecode", b"/ObjStm"]
    chance = random.Random(20261201)
    for _ in range(40):
        data = bytearray(chance.choice(seeds))
        for _ in range(chance.randint(1, 8)):
            position = chance.randrange(len(data))
            roll = chance.random()
            if roll < 0.4:
                data[position] = chance.randrange(256)
            elif roll < 0.7:
                data[position:position] = chance.choice(tokens) + b" "
            else:
                del data[position : position + chance.randint(1, 50)]
        extraction = extract_pdf(bytes(data))
        assert extraction.problems or extraction.text is not None or extraction.title is not None


def pdf_of(objects: list[bytes], trailer: bytes) -> bytes:
    """A well-formed PDF of these objects (numbered from 1), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def test_a_stream_in_a_filter_pypdf_lacks_loses_only_what_it_holds() -> None:
    data = pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 5 0 R >>",
            b"<< /Type /Metadata /Subtype /XML /Filter /BogusDecode /Length 3 >>\nstream\nabc\nendstream",
            b"<< /Filter /BogusDecode /Length 3 >>\nstream\nabc\nendstream",
            b"<< /Title (A title kept) >>",
        ],
        b"/Root 1 0 R /Info 6 0 R",
    )

    extraction = extract_pdf(data)

    assert extraction.title is not None and extraction.title.value == "A title kept"
    assert any("XMP packet cannot be read: NotImplementedError" in p for p in extraction.problems)
    assert extraction.text is None  # the page's content is in that filter too


def test_a_metadata_author_is_not_displaced_by_a_phrase_the_text_rules_read() -> None:
    data = pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
            b"<< /Title (Annual Report) /Author (Jane Doe; John Roe) >>",
        ],
        b"/Root 1 0 R /Info 4 0 R",
    )

    extraction = extract_pdf(data)

    assert [(c.name, c.field) for c in extraction.credits] == [
        ("Jane Doe", "PDF:Author"),
        ("John Roe", "PDF:Author"),
    ]


def test_a_lone_surrogate_in_a_fonts_text_never_reaches_the_database() -> None:
    cleaned = without_nul(Extraction(text="A\ud800B\udfffC", title=Found("T\ud800", "pdf.title")))

    assert cleaned.text == "A\ufffdB\ufffdC"
    assert cleaned.title is not None and cleaned.title.value == "T\ufffd"


def test_values_that_lost_are_kept_with_their_fields() -> None:
    extraction = Extraction()
    chosen = Found("Harbour Report", "pdf.title", field="XMP-dc:Title")
    others = [
        Found("harbour report", "pdf.title", field="PDF:Title"),  # the same title: no disagreement
        Found("Draft 3", "pdf.title", field="PDF:Title"),
    ]

    extraction.keep_alternatives("title", [chosen.value], others)

    assert extraction.alternatives == {"title": [Found("Draft 3", "pdf.title", field="PDF:Title")]}


def test_a_printed_byline_that_lost_to_the_metadata_is_an_alternative() -> None:
    [path] = MEDIA.glob("dev-pdf11*.pdf")

    extraction = extract_pdf(path.read_bytes())

    [lost] = extraction.alternatives["author"]
    assert (lost.value, lost.rule) == ("Power Sleep", "pdf.byline")
    assert lost.value not in [credit.name for credit in extraction.credits]
