"""Rotating the log's key through the use case, over the fake unit of work."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.errors import SigningKeyUnavailable
from archive.ledger import (
    Checkpoint,
    InvalidKey,
    InvalidNote,
    Signer,
    generate_signer,
    open_checkpoint,
    parse_entry,
    sign_checkpoint,
)
from archive.services.key_rotation import KeyAlreadyUsed, rotate_signing_key
from archive.services.log import latest_checkpoint, verify_log
from archive.services.signing import (
    LogSigner,
    promote_staged_key,
    stage_new_key,
    staged_key,
    staged_key_file,
)
from archive.services.signing_keys import key_history, keyring
from archive.services.unit_of_work import FakeUnitOfWork
from archive.services.uploads import archive_upload
from tests.unit.services.conftest import ORIGIN, CountingExtractor, render, upload


def new_signer(origin: str = ORIGIN) -> Signer:
    return Signer.from_key_string(generate_signer(origin)[0])


def test_a_rotation_is_a_leaf_whose_checkpoint_both_keys_sign(uow: FakeUnitOfWork, signer: LogSigner) -> None:
    old = signer.signer
    archive_upload(uow, upload(b"before\n"), once=None, render=render)
    with uow.writing():
        before = latest_checkpoint(uow)
        assert [k.vkey for k in key_history(uow)] == [old.verifier.vkey]
    new = new_signer()
    with uow.writing():
        rotation = rotate_signing_key(uow, new, actor="cli:root", reason="scheduled")
    signer.signer = new  # the key file would now hold it
    archive_upload(uow, upload(b"after\n"), once=None, render=render)
    with uow.writing():
        after = latest_checkpoint(uow)
        keys = list(key_history(uow))
        verification = verify_log(uow)

    event = parse_entry(bytes(uow.tables.log_entries[rotation.leaf_index].entry))
    assert event["type"] == "signing_key.rotated"
    assert (event["retired_key"], event["new_key"]) == (old.verifier.vkey, new.verifier.vkey)
    assert event["from_size"] == rotation.leaf_index + 1 == rotation.checkpoint.tree_size == 2
    for key in (old.verifier, new.verifier):
        assert open_checkpoint(rotation.checkpoint.note, [key], origin=ORIGIN).size == 2
    assert open_checkpoint(before.note, [old.verifier], origin=ORIGIN).size == 1
    assert open_checkpoint(after.note, [new.verifier], origin=ORIGIN).size == 3
    with pytest.raises(InvalidNote, match="no signature by a known key"):
        open_checkpoint(after.note, [old.verifier], origin=ORIGIN)
    assert [(k.first_size, k.last_size, k.retired_by_leaf) for k in keys] == [(0, 2, 1), (2, None, None)]
    assert keys[0].retired_reason == "scheduled" and keys[0].retired_at is not None
    ring = keyring(keys)
    assert [ring.open_checkpoint(c.note, ORIGIN).size for c in (before, rotation.checkpoint, after)] == [
        1,
        2,
        3,
    ]
    assert verification.ok and verification.checkpoints == 3

    # A checkpoint past the retired key's range that only the retired key signed is caught by `log verify`.
    stored = uow.tables.checkpoints[3]
    stored.note = sign_checkpoint(Checkpoint(ORIGIN, 3, bytes(stored.root_hash)), old)
    with uow.reading():
        forged = verify_log(uow)
    assert not forged.ok and forged.problem is not None
    assert "checkpoint of 3" in forged.problem and "outside its range" in forged.problem


def test_a_rotation_refuses_a_used_key_or_another_logs(uow: FakeUnitOfWork, signer: LogSigner) -> None:
    with pytest.raises(KeyAlreadyUsed), uow.writing():
        rotate_signing_key(uow, signer.signer, actor="cli:root", reason="again")
    with pytest.raises(InvalidKey), uow.writing():
        rotate_signing_key(uow, new_signer("another.test/log"), actor="cli:root", reason="wrong log")
    assert uow.tables.log_entries == {} and uow.tables.signing_keys == {}


def test_a_process_holding_the_retired_key_reads_the_new_one_or_signs_nothing(tmp_path: Path) -> None:
    key_file = tmp_path / "log-signing.key"
    holder = LogSigner.load_or_create(ORIGIN, key_file)  # a server's copy, loaded before the rotation
    rotating = FakeUnitOfWork(CountingExtractor(), LogSigner.load_or_create(ORIGIN, key_file))
    serving = FakeUnitOfWork(CountingExtractor(), holder, tables=rotating.tables)
    archive_upload(rotating, upload(b"one\n"), once=None, render=render)

    new = stage_new_key(key_file, ORIGIN)
    staged = staged_key(key_file)
    assert staged is not None and staged.verifier == new.verifier
    with rotating.writing():
        rotate_signing_key(rotating, new, actor="cli:root", reason="scheduled")
    archive_upload(rotating, upload(b"two\n"), once=None, render=render)
    with serving.writing():  # the rotation stopped before moving the key: the staged one is found
        staged_signed = latest_checkpoint(serving)
    assert open_checkpoint(staged_signed.note, [new.verifier], origin=ORIGIN).size == 3
    promote_staged_key(key_file)
    assert not staged_key_file(key_file).exists()
    assert Signer.from_key_string(key_file.read_text().strip()).verifier == new.verifier

    stranger = FakeUnitOfWork(CountingExtractor(), LogSigner(ORIGIN, new_signer()), tables=rotating.tables)
    archive_upload(rotating, upload(b"three\n"), once=None, render=render)
    with stranger.writing(), pytest.raises(SigningKeyUnavailable):
        latest_checkpoint(stranger)
