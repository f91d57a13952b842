"""The log's keyring: notes two keys sign, each key's range of tree sizes, and the forms it is read from."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from archive.ledger import (
    Checkpoint,
    InvalidEntry,
    InvalidKey,
    InvalidNote,
    Signer,
    Verifier,
    generate_signer,
    open_checkpoint,
    parse_entry,
    sign_checkpoint,
)
from archive.ledger.entries import canonical_entry, signing_key_rotated
from archive.ledger.keyring import KeyRange, Keyring, cosign_note, load_keyring

ORIGIN = "archive.test/log"
ROOT = bytes(range(32))


def new_signer() -> Signer:
    return Signer.from_key_string(generate_signer(ORIGIN)[0])


def test_a_note_cosigned_by_a_second_key_opens_with_either() -> None:
    old, new = new_signer(), new_signer()
    note = cosign_note(sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), old), new)
    assert note.count("\n\u2014 ") == 2
    for key in (old.verifier, new.verifier):
        assert open_checkpoint(note, [key], origin=ORIGIN).size == 7
    assert open_checkpoint(note, [old.verifier, new.verifier], origin=ORIGIN).size == 7


def test_a_keyring_accepts_each_key_only_within_its_range() -> None:
    old, new = new_signer(), new_signer()
    ring = Keyring([KeyRange(old.verifier, 0, 7), KeyRange(new.verifier, 7, None)])
    before = sign_checkpoint(Checkpoint(ORIGIN, 5, ROOT), old)
    transition = cosign_note(sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), old), new)
    after = sign_checkpoint(Checkpoint(ORIGIN, 9, ROOT), new)
    assert ring.open_checkpoint(before, ORIGIN).size == 5
    assert ring.open_checkpoint(transition, ORIGIN).size == 7
    assert ring.signed_by(transition, 7) == [old.verifier, new.verifier]
    assert ring.open_checkpoint(after, ORIGIN).size == 9

    # The retired key, even in a thief's hands, vouches for no tree past its range,
    forged = sign_checkpoint(Checkpoint(ORIGIN, 12, ROOT), old)
    with pytest.raises(InvalidNote, match="outside its range"):
        ring.open_checkpoint(forged, ORIGIN)
    # and the new key for none before its own.
    with pytest.raises(InvalidNote, match="outside its range"):
        ring.open_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT), new), ORIGIN)
    # A known key whose signature fails refuses the note, whatever else signed it.
    tampered = transition.replace(f"\n{7}\n", "\n8\n", 1)
    with pytest.raises(InvalidNote):
        ring.open_checkpoint(tampered, ORIGIN)


def test_keyrings_load_from_the_text_and_the_json_listing() -> None:
    old, new = new_signer(), new_signer()
    single = load_keyring(old.verifier.vkey + "\n")
    assert single.verifiers == [old.verifier] and single.ranges[0].covers(10**9)
    several = load_keyring(f"# the log's keys\n{old.verifier.vkey}\n\n{new.verifier.vkey}\n")
    assert several.verifiers == [old.verifier, new.verifier]

    listing = {
        "origin": ORIGIN,
        "current": new.verifier.vkey,
        "keys": [
            {"vkey": old.verifier.vkey, "first_size": 0, "last_size": 4},
            {"vkey": new.verifier.vkey, "first_size": 4, "last_size": None},
        ],
    }
    ring = load_keyring(json.dumps(listing))
    assert [(k.first_size, k.last_size) for k in ring.ranges] == [(0, 4), (4, None)]

    broken_listings: list[dict[str, object]] = [
        {"keys": [{"vkey": old.verifier.vkey}]},
        {"keys": []},
        {"keys": [{"vkey": 1}]},
    ]
    for broken in broken_listings:
        with pytest.raises(InvalidKey):
            load_keyring(json.dumps(broken))
    listing["keys"][0]["first_size"] = -1  # type: ignore[index]
    with pytest.raises(InvalidKey):
        load_keyring(json.dumps(listing))
    other_log = Signer.from_key_string(generate_signer("another.test/log")[0]).verifier
    with pytest.raises(InvalidKey, match="share its name"):
        Keyring([KeyRange(old.verifier), KeyRange(other_log)])
    with pytest.raises(InvalidKey):
        load_keyring("not a key")


def test_the_rotation_event_is_canonical_and_refuses_nonsense() -> None:
    old, new = new_signer(), new_signer()
    at = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    event = signing_key_rotated(
        retired_key=old.verifier.vkey,
        new_key=new.verifier.vkey,
        from_size=5,
        reason="scheduled",
        time=at,
        actor="cli:root",
    )
    entry = canonical_entry(event)
    assert parse_entry(entry) == dict(event)
    assert entry.startswith(b'{"actor":"cli:root","from_size":5,"new_key":')
    with pytest.raises(InvalidEntry):
        signing_key_rotated(
            retired_key=old.verifier.vkey,
            new_key=old.verifier.vkey,
            from_size=5,
            reason="x",
            time=at,
            actor="a",
        )
    with pytest.raises(InvalidEntry):
        signing_key_rotated(
            retired_key=old.verifier.vkey,
            new_key=new.verifier.vkey,
            from_size=0,
            reason="x",
            time=at,
            actor="a",
        )
    assert isinstance(Verifier.from_vkey(event["new_key"]), Verifier)
