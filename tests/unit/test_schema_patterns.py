"""The patterns the OpenAPI document gives for metadata fields and `Accept-Datetime` say exactly what the
service accepts: drawn from each pattern, and drawn at random, a value matches exactly when the validator
accepts it (so a fuzzer's schema-valid request is never refused, nor a schema-invalid one accepted)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from archive.api.memento.links import HTTP_DATE_PATTERN, parse_accept_datetime
from archive.api.tiles.routes import TILE_PATTERN
from archive.errors import InvalidDatetime
from archive.ledger.errors import InvalidTreeRequest
from archive.ledger.tiles import TileAddress, parse_tile_path
from archive.services.metadata import (
    DATE_PATTERN,
    DATE_TIME_PATTERN,
    EMAIL_PATTERN,
    LANGUAGE_PATTERN,
    LINE_PATTERN,
    PARAGRAPH_PATTERN,
    URL_PATTERN,
    SuppliedCredit,
    SuppliedIdentifiers,
    SuppliedMetadata,
)

# Characters that stress the rules: controls, white space of every kind, the ones URLs may not hold.
AWKWARD = st.sampled_from(
    list(
        '\x00\x08\t\n\x0b\r\x1c\x1f \x7f\x85\x9f\xa0\u1680\u2000\u2028\u202f\u3000\ufeff<>"{}|\\^`@.:/-Tt_Zz+'
    )
)
# Lone surrogates aside: no UTF-8 request holds one, and the JSON parser refuses an escaped one.
TEXT = st.text(st.one_of(AWKWARD, st.characters(exclude_categories=["Cs"])), max_size=12)


def accepted_as(field: str, build: Callable[[str], object]) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            build(value)
        except ValidationError as exc:
            assert all(error["loc"][0] == field for error in exc.errors()), exc
            return False
        return True

    return accepts


def metadata_field(field: str) -> Callable[[str], bool]:
    return accepted_as(field, lambda value: SuppliedMetadata.model_validate_json(json.dumps({field: value})))


def credit_name(value: str) -> object:
    return SuppliedCredit.model_validate({"name": value, "role": "author"})


def email(value: str) -> object:
    return SuppliedIdentifiers.model_validate({"email": value})


def published(value: str) -> bool:
    return re.fullmatch(DATE_TIME_PATTERN, value) is not None or re.fullmatch(DATE_PATTERN, value) is not None


# Each field: its pattern, its maxLength (the schema states both), and its validator.
CASES = [
    ("title", LINE_PATTERN, 1000, metadata_field("title")),
    ("name", LINE_PATTERN, 300, accepted_as("name", credit_name)),
    ("note", PARAGRAPH_PATTERN, 4000, metadata_field("note")),
    ("source_url", URL_PATTERN, 2048, metadata_field("source_url")),
    ("language", LANGUAGE_PATTERN, 35, metadata_field("language")),
    ("email", EMAIL_PATTERN, 320, accepted_as("email", email)),
]


def agree(pattern: str, accepts: Callable[[str], bool], value: str, max_length: int | None = None) -> None:
    valid = re.fullmatch(pattern, value) is not None and (max_length is None or len(value) <= max_length)
    assert valid == accepts(value), repr(value)


@pytest.mark.parametrize(
    ("field", "pattern", "max_length", "accepts"), CASES, ids=[case[0] for case in CASES]
)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None, database=None)
@given(data=st.data())
def test_a_field_pattern_matches_what_its_validator_accepts(
    field: str, pattern: str, max_length: int, accepts: Callable[[str], bool], data: st.DataObject
) -> None:
    value = data.draw(st.one_of(st.from_regex(pattern, fullmatch=True), TEXT), label=field)
    agree(pattern, accepts, value, max_length)


DAYS = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.from_regex(r"[0-9]{4}-(0[0-9]|1[0-3])-([0-2][0-9]|3[0-2])", fullmatch=True),
)
TIMES = st.from_regex(
    r"[Tt _ ][0-2][0-9]:[0-6][0-9](:[0-6][0-9](\.[0-9]{1,8})?)?([Zz]|[+-][0-2][0-9]:?[0-6][0-9])?",
    fullmatch=True,
)


@settings(max_examples=500, deadline=None, database=None)
@given(day=DAYS, time=st.one_of(st.just(""), TIMES))
def test_the_published_at_patterns_match_what_is_accepted(day: str, time: str) -> None:
    agree(
        "(?:" + DATE_TIME_PATTERN + ")|(?:" + DATE_PATTERN + ")", metadata_field("published_at"), day + time
    )


def accepts_http_date(value: str) -> bool:
    try:
        parse_accept_datetime(value)
    except InvalidDatetime:
        return False
    return True


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.one_of(
        st.from_regex(HTTP_DATE_PATTERN, fullmatch=True),
        st.from_regex(
            r"(Mon|Xyz), [0-3][0-9] (Jan|Feb|Apr|Dec|Foo) [0-9]{4} [0-2][0-9]:[0-6][0-9]:[0-6][0-9] GMT",
            fullmatch=True,
        ),
        TEXT,
    )
)
def test_the_accept_datetime_pattern_matches_what_is_accepted(value: str) -> None:
    agree(HTTP_DATE_PATTERN, accepts_http_date, value)


def test_numbers_are_not_dates() -> None:
    with pytest.raises(ValidationError):
        SuppliedMetadata.model_validate_json('{"published_at": 1700000000}')


def accepts_tile_path(value: str) -> bool:
    try:
        parse_tile_path(value)
    except InvalidTreeRequest:
        return False
    return True


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.one_of(
        st.from_regex(TILE_PATTERN, fullmatch=True),
        st.builds(
            lambda level, index, width: TileAddress(level, index, width).path(),
            st.one_of(st.none(), st.integers(0, 63)),
            st.integers(0, 10**15),
            st.one_of(st.none(), st.integers(1, 255)),
        ),
        st.from_regex(
            r"(entries|[0-9]{1,3})/(x?[0-9]{1,4}/){0,3}x?[0-9]{2,4}(\.p/[0-9]{1,4})?", fullmatch=True
        ),
        TEXT,
    )
)
def test_the_tile_path_pattern_matches_what_is_accepted(value: str) -> None:
    agree(TILE_PATTERN, accepts_tile_path, value)
