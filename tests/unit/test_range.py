from __future__ import annotations

import pytest

from archive.api.content import parse_range
from archive.errors import UnsatisfiableRange
from archive.storage import ByteRange


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=10-", ByteRange(10, 99)),
        ("bytes=-1", ByteRange(99, 99)),
        ("bytes=-500", ByteRange(0, 99)),
        ("bytes=50-5000", ByteRange(50, 99)),
        ("bytes = 1-2", ByteRange(1, 2)),
        ("bytes=5-4", None),
        ("bytes=0-1,3-4", None),
        ("items=0-1", None),
        ("bytes=-", None),
        ("bytes=a-b", None),
        # positions of thousands of digits, which int() refuses to read, are past the end
        ("bytes=0-" + "9" * 5000, ByteRange(0, 99)),
        ("bytes=-" + "9" * 5000, ByteRange(0, 99)),
        ("bytes=5-" + "0" * 5000, None),  # zero, before the start: ignored like any reversed range
    ],
)
def test_parse(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=100-", "bytes=100-200", "bytes=-0", "bytes=" + "9" * 5000 + "-", "bytes=" + "1" * 19 + "-"],
)
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(UnsatisfiableRange):
        parse_range(header, 100)
