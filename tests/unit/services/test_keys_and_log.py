"""Keys and the verifiable log through the fake unit of work: receipts verify with nothing but the key."""

from __future__ import annotations

import base64

import pytest

from archive.errors import KeyNameTaken, Unauthenticated
from archive.ledger import Verifier, open_checkpoint
from archive.ledger.receipts import check_receipt
from archive.roles import Role
from archive.services.keys import authenticate, create_bootstrap_key, create_key, list_keys, revoke_key
from archive.services.log import latest_checkpoint, receipt_for, verify_log
from archive.services.signing import LogSigner
from archive.services.unit_of_work import FakeUnitOfWork
from archive.services.uploads import archive_upload
from tests.unit.services.conftest import render, upload


def test_a_key_authenticates_as_its_name_and_role_until_revoked(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        secret = create_key(uow, "alice", Role.ARCHIVIST)
    with uow.reading():
        principal = authenticate(uow, secret)
    assert (principal.name, principal.role) == ("alice", Role.ARCHIVIST)

    with uow.writing():
        revoke_key(uow, "alice")
    with uow.reading(), pytest.raises(Unauthenticated, match="revoked"):
        authenticate(uow, secret)
    events = [entry.event_type for entry in uow.tables.log_entries.values()]
    assert events == ["key.created", "key.revoked"]


def test_keys_are_refused_when_malformed_unknown_or_their_name_is_taken(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        secret = create_key(uow, "alice", Role.READER)
    with uow.reading():
        with pytest.raises(Unauthenticated, match="malformed"):
            authenticate(uow, "not-a-key")
        with pytest.raises(Unauthenticated, match="not valid"):
            authenticate(uow, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    with uow.writing(), pytest.raises(KeyNameTaken):
        create_key(uow, "alice", Role.ADMIN)
    with uow.reading():
        assert [key.name for key in list_keys(uow)] == ["alice"]


def test_the_first_start_makes_one_admin_key(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        first = create_bootstrap_key(uow)
        second = create_bootstrap_key(uow)
    assert first is not None
    assert second is None
    with uow.reading():
        assert authenticate(uow, first).role is Role.ADMIN


def test_a_receipt_verifies_offline_against_the_log_key(uow: FakeUnitOfWork, signer: LogSigner) -> None:
    for number in range(5):
        archive_upload(uow, upload(f"document {number}\n".encode()), once=None, render=render)
    with uow.writing():
        version = uow.documents.versions(next(iter(uow.tables.documents)))[0]
        receipt = receipt_for(uow, version)

    wire = {
        "entry": receipt.entry.decode(),
        "index": receipt.index,
        "inclusion": {
            "index": receipt.index,
            "tree_size": receipt.tree_size,
            "hashes": [base64.b64encode(digest).decode() for digest in receipt.hashes],
        },
        "checkpoint": receipt.checkpoint,
    }
    verifier = Verifier.from_vkey(signer.verifier_key)
    checked = check_receipt(wire, verifier)
    assert checked.checkpoint.size == 5
    assert checked.event["blake3"] == version.blob_blake3


def test_checkpoints_grow_consistently_and_the_log_verifies(uow: FakeUnitOfWork, signer: LogSigner) -> None:
    archive_upload(uow, upload(b"one\n"), once=None, render=render)
    with uow.writing():
        small = latest_checkpoint(uow)
    archive_upload(uow, upload(b"two\n"), once=None, render=render)
    with uow.writing():
        grown = latest_checkpoint(uow)
        again = latest_checkpoint(uow)
        verification = verify_log(uow)

    verifier = Verifier.from_vkey(signer.verifier_key)
    assert open_checkpoint(small.note, [verifier], origin=signer.origin).size == 1
    assert open_checkpoint(grown.note, [verifier], origin=signer.origin).size == 2
    assert again is grown
    assert verification.ok
    assert (verification.size, verification.checkpoints) == (2, 2)


def test_a_tampered_leaf_is_found_by_verification(uow: FakeUnitOfWork) -> None:
    for number in range(3):
        archive_upload(uow, upload(f"document {number}\n".encode()), once=None, render=render)
    uow.tables.log_entries[1].entry = uow.tables.log_entries[1].entry.replace(b"alice", b"mallory")

    with uow.reading():
        verification = verify_log(uow)

    assert not verification.ok
    assert verification.first_bad_index == 1
