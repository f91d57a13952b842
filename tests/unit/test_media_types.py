"""One function infers and validates an upload's media type, for the API, the pages and `archive ingest`."""

from __future__ import annotations

import pytest

from archive.domain.media_types import infer_media_type
from archive.errors import InvalidInput


@pytest.mark.parametrize(
    ("declared", "filename", "expected"),
    [
        ("Text/HTML; charset=UTF-8", "page.bin", "text/html; charset=UTF-8"),
        (None, "article.html", "text/html"),
        ("", "photo.jpg", "image/jpeg"),
        ("application/octet-stream", "memo.pdf", "application/pdf"),
        (None, "no-extension", "application/octet-stream"),
        (None, None, "application/octet-stream"),
        ("  text/plain  ", None, "text/plain"),
    ],
)
def test_the_declared_type_normalised_else_a_guess_from_the_name(
    declared: str | None, filename: str | None, expected: str
) -> None:
    assert infer_media_type(declared, filename) == expected


@pytest.mark.parametrize(
    "declared", ["text", "text/", "../etc", "text/plain; charset", "a/b\x00c", "x/" + "y" * 300]
)
def test_what_is_not_a_media_type_is_refused(declared: str) -> None:
    with pytest.raises(InvalidInput, match="is not a media type"):
        infer_media_type(declared, "file.txt")
