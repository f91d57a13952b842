"""The periodic publishing use case through the fake unit of work, with attestors faked beside it: turns
once per interval, the 409 resync, failures kept as state, and receipts that lead to attested checkpoints."""

from __future__ import annotations

import base64
import struct
from collections.abc import Sequence
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archive.attestors import AttestationRefused, AttestorUnavailable, WitnessClient, WitnessConflict
from archive.db.models import utcnow
from archive.ledger import open_checkpoint
from archive.ledger.cosignatures import Cosignature, CosignerKey, cosignatures, cosigned_message
from archive.roles import Role
from archive.services.keys import create_key
from archive.services.log import receipt_for
from archive.services.publishing import Publication, publish_checkpoint
from archive.services.unit_of_work import FakeUnitOfWork
from archive.services.uploads import archive_upload
from tests.unit.services.conftest import render, upload


class FakeWitness(WitnessClient):
    """A witness that cosigns from the size it holds, answers 409 from any other, or fails as told."""

    def __init__(self, name: str) -> None:
        self.private = Ed25519PrivateKey.generate()
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        super().__init__("http://witness.invalid", CosignerKey(name, public))
        self.held = 0
        self.calls: list[int] = []
        self.failure: Exception | None = None

    def add_checkpoint(
        self, old_size: int, proof: Sequence[bytes], note: str, body: str
    ) -> list[Cosignature]:
        self.calls.append(old_size)
        if self.failure is not None:
            raise self.failure
        if old_size != self.held:
            raise WitnessConflict(self.ident, self.held)
        self.held = int(body.split("\n")[1])
        signature = struct.pack(">Q", 1_700_000_000) + self.private.sign(
            cosigned_message(body, 1_700_000_000)
        )
        line = f"\u2014 {self.key.name} " + base64.b64encode(self.key.key_id + signature).decode()
        return cosignatures(f"{body}\n{line}\n", [self.key])


def archived(uow: FakeUnitOfWork, text: bytes) -> None:
    archive_upload(uow, upload(text), once=None, render=render)


def test_a_checkpoint_is_offered_once_per_interval_and_served_cosigned(uow: FakeUnitOfWork) -> None:
    witness = FakeWitness("w.example/one")
    publication = Publication([witness], interval=timedelta(seconds=10))
    archived(uow, b"first")
    now = utcnow()
    assert [o.result for o in publish_checkpoint(uow, publication, now=now)] == ["attested"]
    assert [o.result for o in publish_checkpoint(uow, publication, now=now)] == ["current"]
    archived(uow, b"second")
    assert [o.result for o in publish_checkpoint(uow, publication, now=now + timedelta(seconds=5))] == [
        "not due"
    ]
    assert [o.result for o in publish_checkpoint(uow, publication, now=now + timedelta(seconds=10))] == [
        "attested"
    ]
    assert witness.calls == [0, 1]
    with uow.writing():
        version = next(iter(uow.tables.versions.values()))
        receipt = receipt_for(uow, version)
    assert len(cosignatures(receipt.checkpoint, [witness.key])) == 1
    open_checkpoint(receipt.checkpoint, [uow.signer.signer.verifier], origin=uow.signer.origin)


def test_a_witness_behind_is_resynced_and_failures_are_kept_as_state(uow: FakeUnitOfWork) -> None:
    witness = FakeWitness("w.example/two")
    witness.held = 1  # it cosigned the first leaf's checkpoint for another worker
    publication = Publication([witness], interval=timedelta(seconds=10))
    with uow.writing():
        create_key(uow, "alice", Role.READER)
    archived(uow, b"grown")
    now = utcnow()
    assert [o.result for o in publish_checkpoint(uow, publication, now=now)] == ["attested"]
    assert witness.calls == [0, 1]

    archived(uow, b"while it is down")
    witness.failure = AttestorUnavailable("down")
    later = now + timedelta(seconds=11)
    assert [o.result for o in publish_checkpoint(uow, publication, now=later)] == ["unavailable"]
    (state,) = uow.tables.attestors.values()
    assert state.last_error == "down" and state.attested_size == 2 and state.lease_until is None
    witness.failure = AttestationRefused("a fork")
    outcome = publish_checkpoint(uow, publication, now=later + timedelta(seconds=10))
    assert [(o.result, o.detail) for o in outcome] == [("refused", "a fork")]


def test_nothing_is_offered_for_an_empty_log(uow: FakeUnitOfWork) -> None:
    witness = FakeWitness("w.example/three")
    assert publish_checkpoint(uow, Publication([witness])) == []
    assert witness.calls == []
