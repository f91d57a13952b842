from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.errors import InvalidMetadata
from archive.services.metadata import parse_metadata

LIMIT = 64 * 1024


def test_empty_metadata_is_no_metadata() -> None:
    assert parse_metadata(None, LIMIT).title is None
    assert parse_metadata(b"  ", LIMIT).title is None


def test_valid_metadata_is_normalised() -> None:
    metadata = parse_metadata(
        '{"title": "  Cafe\\u0301  ", "published_at": "2025-02-03", "language": "en-GB",'
        ' "source_url": "https://example.org/a?b=c", "note": "line one\\nline two"}',
        LIMIT,
    )
    assert metadata.title == "Café"
    assert metadata.published_at == datetime(2025, 2, 3, tzinfo=UTC)
    assert metadata.language == "en-GB"
    assert metadata.note == "line one\nline two"


def test_every_bad_field_is_listed() -> None:
    with pytest.raises(InvalidMetadata) as caught:
        parse_metadata('{"title": "", "language": "??", "published_at": "soon"}', LIMIT)
    fields = {error["field"] for error in caught.value.fields["errors"]}
    assert fields == {"title", "language", "published_at"}


@pytest.mark.parametrize(
    "raw",
    ['{"title": "a\\nb"}', '{"publisher": "x\\u0000"}', '{"title": "x\\u0085"}', "[]", "null", '"a string"'],
)
def test_refused(raw: str) -> None:
    with pytest.raises(InvalidMetadata):
        parse_metadata(raw, LIMIT)


def test_over_the_limit() -> None:
    with pytest.raises(InvalidMetadata, match="limit"):
        parse_metadata('{"note": "' + "x" * 200 + '"}', 100)
