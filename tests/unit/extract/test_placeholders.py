"""Embedded values that stand for nothing are never credited or shown."""

from __future__ import annotations

import pytest

from archive.extract.placeholders import is_mangled, is_placeholder


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "()",
        "ARRAY(0x2c7cf020)",
        "Photographer",
        "CREDIT",
        "Caption:",
        "Your Name",
        "null",
        "No Title",
        "Untitled - December 12, 2023 at 11.19.22",
        "User: Windows NT/95/98 User",
        "OLYMPUS DIGITAL CAMERA",
        "Administrator",
        "Microsoft Word - report.doc",
    ],
)
def test_placeholders_are_not_values(value: str | None) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value", ["Nicola Asuni", "AgileBits", "Phil Harvey", "CSS3 awesomeness", "Untitledness Quarterly"]
)
def test_values_are_values(value: str) -> None:
    assert not is_placeholder(value)


def test_a_name_with_a_dropped_glyph_is_mangled() -> None:
    assert is_mangled("The  Team")
    assert is_mangled("Jos\ufffd Garc\ufffda")
    assert not is_mangled("The LaTeX Team")


@pytest.mark.parametrize(
    "value",
    [
        "SONY DSC",
        "DSC_0012",
        "IMG_1234.JPG",
        "P1010001",
        "Windows User",
        "Author Name",
        "PowerPoint Presentation",
    ],
)
def test_tool_and_camera_defaults_are_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["Ana Ruiz", "Imogen Cunningham", "Dscovr Team", "Page Six"])
def test_real_names_are_not(value: str) -> None:
    assert not is_placeholder(value)
