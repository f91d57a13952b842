"""PDF and XMP dates are read strictly: a date is kept as the file states it, or not at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from archive.extract.pdf_dates import as_datetime, parse_pdf_date, parse_xmp_date


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("D:20090401163925-07'00'", "2009-04-01T16:39:25-07:00"),
        ("D:20100316021332-0100", "2010-03-16T02:13:32-01:00"),
        ("D:20150802122219+00'00'", "2015-08-02T12:22:19+00:00"),
        ("D:20240223213822Z", "2024-02-23T21:38:22Z"),
        ("D:20120309220738Z00'00'", "2012-03-09T22:07:38Z"),
        ("D:20231212224930+05'30'", "2023-12-12T22:49:30+05:30"),
        ("D:20250303101803", "2025-03-03T10:18:03"),
        ("D:202503031018", "2025-03-03T10:18:00"),
        ("D:20100316", "2010-03-16"),
        ("20100316021332", "2010-03-16T02:13:32"),
        ("  D:20100316  ", "2010-03-16"),
    ],
)
def test_a_pdf_date_is_kept_as_stated(raw: str, iso: str) -> None:
    assert parse_pdf_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "D:",
        "D:00000101",  # year 0000
        "D:20250001",  # month 00
        "D:20251301",  # month 13
        "D:20250230",  # 30 February
        "D:2025030325",  # hour 25
        "D:2010031602133x",  # a corrupted digit
        "D:20100316021332-0100 garbage",  # trailing garbage
        "D:2010",  # a year alone is not a day
        "D:201003",
        "Tue Mar 16 2010",
        "D:20100316021332+2",
    ],
)
def test_anything_else_is_no_date(raw: str | None) -> None:
    assert parse_pdf_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025-10-30T14:54:54+01:00", "2025-10-30T14:54:54+01:00"),
        ("2015-08-02T12:22:19", "2015-08-02T12:22:19"),
        ("2019-02-04T13:16:13.123-08:00", "2019-02-04T13:16:13-08:00"),
        ("2019-02-04T13:16Z", "2019-02-04T13:16:00Z"),
        ("2004-02-26", "2004-02-26"),
        ("0000-01-01", None),
        ("2004-02-30", None),
        ("2004", None),
        ("yesterday", None),
    ],
)
def test_an_xmp_date_is_read_the_same_way(raw: str, iso: str | None) -> None:
    assert parse_xmp_date(raw) == iso


def test_as_an_instant_an_offset_is_kept_and_none_is_utc() -> None:
    assert as_datetime("2009-04-01T16:39:25-07:00") == datetime(
        2009, 4, 1, 16, 39, 25, tzinfo=timezone(timedelta(hours=-7))
    )
    assert as_datetime("2024-02-23T21:38:22Z") == datetime(2024, 2, 23, 21, 38, 22, tzinfo=UTC)
    assert as_datetime("2025-03-03T10:18:03") == datetime(2025, 3, 3, 10, 18, 3, tzinfo=UTC)
    assert as_datetime("2010-03-16") == datetime(2010, 3, 16, tzinfo=UTC)
    assert as_datetime(None) is None


@pytest.mark.parametrize(
    "raw", ["D:20200101120000+24'00'", "D:20200101120000-07'60'", "D:20200101120000+99'99'"]
)
def test_an_offset_no_clock_has_is_no_date(raw: str) -> None:
    assert parse_pdf_date(raw) is None


def test_an_xmp_offset_no_clock_has_is_no_date_and_no_instant() -> None:
    assert parse_xmp_date("2020-01-01T00:00:00+30:00") is None
    assert as_datetime("2020-01-01T00:00:00+30:00") is None
