"""Log entries: RFC 8785 canonical bytes, the refusals that keep them canonical, and the archive's events."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from archive.digests import Digests
from archive.ledger import (
    InvalidEntry,
    canonical_entry,
    entry_leaf_hash,
    fixity_failed,
    key_created,
    key_revoked,
    parse_entry,
    rfc3339_utc,
    version_added,
)
from archive.roles import Role

B3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
META = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
WHEN = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)


def a_version(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "document_id": "01HXAMPLE0000000000000000",
        "version": 2,
        "blake3": B3,
        "sha256": SHA,
        "size": 1234,
        "media_type": "text/html",
        "metadata_sha256": META,
        "time": WHEN,
        "actor": "ingest-bot",
    }
    return {**fields, **overrides}


# Canonical JSON


def test_a_version_entry_has_exact_canonical_bytes() -> None:
    entry = canonical_entry(version_added(**a_version()))
    expected = (
        '{"actor":"ingest-bot",'
        f'"blake3":"{B3}",'
        '"document_id":"01HXAMPLE0000000000000000",'
        '"media_type":"text/html",'
        f'"metadata_sha256":"{META}",'
        f'"sha256":"{SHA}",'
        '"size":1234,'
        '"time":"2024-05-01T12:30:15Z",'
        '"type":"version.added",'
        '"version":2}'
    )
    assert entry == expected.encode()
    assert entry_leaf_hash(version_added(**a_version())) == hashlib.sha256(b"\x00" + entry).digest()


def test_key_order_and_mapping_type_do_not_change_the_bytes() -> None:
    first = canonical_entry({"type": "t", "b": 1, "a": {"y": [1, "x"], "x": None}})
    second = canonical_entry({"a": {"x": None, "y": (1, "x")}, "b": 1, "type": "t"})
    assert first == second == b'{"a":{"x":null,"y":[1,"x"]},"b":1,"type":"t"}'


def test_keys_sort_by_utf16_code_units_as_rfc_8785_requires() -> None:
    # RFC 8785 section 3.2.3's example: an emoji (a surrogate pair, 0xD83D...) sorts before U+FB33, which a
    # code point sort would put the other way round.
    event = {
        "type": "t",
        "\ufb33": 1,
        "\U0001f600": 2,
        "\u20ac": 3,
        "\r": 4,
        "1": 5,
        "\u0080": 6,
        "\u00f6": 7,
    }
    assert canonical_entry(event).decode() == (
        '{"\\r":4,"1":5,"type":"t","\u0080":6,"\u00f6":7,"\u20ac":3,"\U0001f600":2,"\ufb33":1}'
    )


def test_strings_are_escaped_minimally() -> None:
    event = {"type": "t", "s": '€$\x0f\nA\'B"\\\\"/'}
    assert canonical_entry(event) == '{"s":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","type":"t"}'.encode()


def test_enums_become_their_values_and_booleans_stay_booleans() -> None:
    assert canonical_entry({"type": "t", "role": Role.ADMIN, "ok": True, "no": False}) == (
        b'{"no":false,"ok":true,"role":"admin","type":"t"}'
    )


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"type": "t", "n": 1.0}, "entry.n is a float; log entries hold integers only"),
        ({"type": "t", "list": [1, 2.5]}, r"entry.list\[1\] is a float"),
        ({"type": "t", "deep": {"x": float("nan")}}, "entry.deep.x is a float"),
        ({"type": "t", "deep": {1: "x"}}, "non-string key 1"),
        ({"type": "t", "b": b"bytes"}, "entry.b is a bytes"),
        ({"type": "t", "when": WHEN}, "entry.when is a datetime"),
        ({"type": "t", "set": {1}}, "entry.set is a set"),
        ({"type": "t", "n": 2**53}, "cannot be canonical JSON"),
        ({"type": "t", "s": "\ud800"}, "cannot be canonical JSON"),
        ({"n": 1}, "non-empty string `type`"),
        ({"type": ""}, "non-empty string `type`"),
        ({"type": 7}, "non-empty string `type`"),
    ],
)
def test_values_without_a_canonical_form_are_refused(event: dict[Any, Any], reason: str) -> None:
    with pytest.raises(InvalidEntry, match=reason):
        canonical_entry(event)


def test_the_largest_safe_integers_are_accepted() -> None:
    assert canonical_entry({"type": "t", "n": 2**53 - 1, "m": -(2**53) + 1}) == (
        b'{"m":-9007199254740991,"n":9007199254740991,"type":"t"}'
    )


def test_parse_entry_returns_the_event_of_canonical_bytes() -> None:
    entry = canonical_entry(version_added(**a_version()))
    assert parse_entry(entry) == version_added(**a_version())


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (b'{"type": "t"}', "not in RFC 8785 canonical form"),
        (b'{"b":1,"a":2,"type":"t"}', "not in RFC 8785 canonical form"),
        (b'{"a":1,"a":2,"type":"t"}', "not in RFC 8785 canonical form"),  # a duplicate key
        (b'{"n":1.5,"type":"t"}', "not an integer"),
        (b'{"n":1e3,"type":"t"}', "not an integer"),
        (b'{"n":NaN,"type":"t"}', "not an integer"),
        (b'["type"]', "must be a JSON object"),
        (b'{"type":"t"', "must be canonical JSON"),
        (b'{"type":"t"}\n', "not in RFC 8785 canonical form"),
        (b'{"type":"\\u0074"}', "not in RFC 8785 canonical form"),
    ],
)
def test_parse_entry_refuses_anything_but_canonical_bytes(entry: bytes, reason: str) -> None:
    with pytest.raises(InvalidEntry, match=reason):
        parse_entry(entry)


# Time


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (WHEN, "2024-05-01T12:30:15Z"),
        (WHEN.replace(microsecond=120), "2024-05-01T12:30:15.000120Z"),
        (datetime(2024, 5, 1, 14, 30, 15, tzinfo=timezone(timedelta(hours=2))), "2024-05-01T12:30:15Z"),
        (datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "2023-12-31T23:30:00Z"),
    ],
)
def test_times_are_rfc3339_in_utc_with_a_z(moment: datetime, text: str) -> None:
    assert rfc3339_utc(moment) == text


def test_naive_times_are_refused() -> None:
    with pytest.raises(InvalidEntry, match="time zone"):
        rfc3339_utc(datetime(2024, 5, 1, 12, 0))
    with pytest.raises(InvalidEntry, match="time zone"):
        version_added(**a_version(time=datetime(2024, 5, 1, 12, 0)))


# The archive's events


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"version": 0}, "start at 1"),
        ({"size": -1}, "negative"),
        ({"blake3": B3.upper()}, "blake3 must be 64 lowercase"),
        ({"sha256": SHA[:-1]}, "sha256 must be 64 lowercase"),
        ({"sha256": SHA + "\n"}, "sha256 must be 64 lowercase"),
        ({"metadata_sha256": "x" * 64}, "metadata_sha256 must be 64 lowercase"),
        ({"document_id": ""}, "document_id must be non-empty"),
        ({"media_type": " text/html"}, "media_type must be non-empty"),
        ({"actor": ""}, "actor must be non-empty"),
    ],
)
def test_a_version_entry_refuses_bad_fields(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidEntry, match=reason):
        version_added(**a_version(**overrides))


def test_key_events() -> None:
    created = key_created(key_name="alice", role=Role.ARCHIVIST, time=WHEN, actor="admin-key")
    assert created == {
        "type": "key.created",
        "key_name": "alice",
        "role": "archivist",
        "time": "2024-05-01T12:30:15Z",
        "actor": "admin-key",
    }
    revoked = key_revoked(key_name="alice", role="archivist", time=WHEN, actor="admin-key")
    assert revoked == {**created, "type": "key.revoked"}
    assert canonical_entry(revoked) == (
        b'{"actor":"admin-key","key_name":"alice","role":"archivist",'
        b'"time":"2024-05-01T12:30:15Z","type":"key.revoked"}'
    )


def test_key_events_refuse_unknown_roles_and_empty_names() -> None:
    with pytest.raises(InvalidEntry, match="unknown role 'owner'"):
        key_created(key_name="alice", role="owner", time=WHEN, actor="admin-key")
    with pytest.raises(InvalidEntry, match="key_name must be non-empty"):
        key_revoked(key_name="", role=Role.READER, time=WHEN, actor="admin-key")


def test_a_fixity_failure_records_the_digests_found() -> None:
    expected = Digests(blake3=B3, sha256=SHA, size=10)
    found = Digests(blake3=META, sha256=META, size=9)
    event = fixity_failed(expected=expected, found=found, time=WHEN, actor="fixity-check")
    assert event == {
        "type": "fixity.failed",
        "blake3": B3,
        "expected": {"blake3": B3, "sha256": SHA, "size": 10},
        "found": {"blake3": META, "sha256": META, "size": 9},
        "time": "2024-05-01T12:30:15Z",
        "actor": "fixity-check",
    }
    assert parse_entry(canonical_entry(event)) == event


def test_a_fixity_failure_records_a_missing_blob() -> None:
    expected = Digests(blake3=B3, sha256=SHA, size=10)
    event = fixity_failed(expected=expected, found=None, time=WHEN, actor="fixity-check")
    assert event["found"] == "missing"
    assert b'"found":"missing"' in canonical_entry(event)


def test_matching_digests_are_no_fixity_failure() -> None:
    expected = Digests(blake3=B3, sha256=SHA, size=10)
    with pytest.raises(InvalidEntry, match="no fixity failure"):
        fixity_failed(expected=expected, found=Digests(B3, SHA, 10), time=WHEN, actor="fixity-check")
    with pytest.raises(InvalidEntry, match="sha256 must be 64 lowercase"):
        fixity_failed(expected=expected, found=Digests(B3, "bad", 10), time=WHEN, actor="fixity-check")


def test_distinct_events_have_distinct_leaf_hashes() -> None:
    hashes = {
        entry_leaf_hash(version_added(**a_version())),
        entry_leaf_hash(version_added(**a_version(version=3))),
        entry_leaf_hash(version_added(**a_version(time=WHEN + timedelta(seconds=1)))),
        entry_leaf_hash(key_created(key_name="a", role=Role.READER, time=WHEN, actor="x")),
        entry_leaf_hash(key_revoked(key_name="a", role=Role.READER, time=WHEN, actor="x")),
    }
    assert len(hashes) == 5
