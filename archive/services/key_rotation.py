"""Rotating the log's signing key: a new Ed25519 key signs every checkpoint from a tree size on.

The rotation is a leaf of the log (`signing_key.rotated`, naming both keys and the size from which the new
one signs: the tree this leaf completes), and that tree's checkpoint is signed by both keys, so a verifier
that trusts either can follow the log across the change. Checkpoints signed before it stay as they were
signed, so old receipts keep verifying with the retired key; the retired key's range ends at that tree,
and a verifier holding the keyring refuses anything it signs beyond it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from archive.db.log_models import SignedCheckpoint, SigningKey
from archive.db.models import utcnow
from archive.errors import Conflict
from archive.ledger import Checkpoint, InvalidKey, Signer, sign_checkpoint
from archive.ledger.entries import signing_key_rotated
from archive.ledger.keyring import cosign_note
from archive.services.log import append_event, require_consistent
from archive.services.signing_keys import active_key, key_row, recorded_keys
from archive.services.unit_of_work import UnitOfWork


class KeyAlreadyUsed(Conflict):
    """The key offered as the new one has signed this log before: a rotation needs a key never used."""

    title = "Signing key already used"


@dataclass(frozen=True)
class Rotation:
    retired: SigningKey
    new: SigningKey
    leaf_index: int
    checkpoint: SignedCheckpoint


def rotate_signing_key(
    uow: UnitOfWork, new: Signer, *, actor: str, reason: str, now: datetime | None = None
) -> Rotation:
    """Retire the key that signs now in favour of `new`, in the caller's writing transaction: the rotation's
    leaf, the checkpoint of the tree it completes signed by both keys, and both keys' ranges."""
    moment = now or utcnow()
    index = uow.log.lock_head()  # the leaf's index, fixed until the transaction ends
    keys = recorded_keys(uow)
    retired = active_key(keys)
    _require_new(new, uow.signer.origin, keys)
    old = uow.signer.signer_for(retired.vkey)
    size = index + 1
    event = signing_key_rotated(
        retired_key=retired.vkey,
        new_key=new.verifier.vkey,
        from_size=size,
        reason=reason,
        time=moment,
        actor=actor,
    )
    leaf_index = append_event(uow.log, event)
    checkpoint = _sign_by_both(uow, old, new, size)
    retired.last_size, retired.retired_at = size, moment
    retired.retired_by_leaf, retired.retired_reason = leaf_index, reason
    added = key_row(new.verifier, size)
    added.created_at = moment
    uow.signing_keys.add(added)
    uow.signing_keys.flush()
    return Rotation(retired=retired, new=added, leaf_index=leaf_index, checkpoint=checkpoint)


def _require_new(new: Signer, origin: str, keys: Sequence[SigningKey]) -> None:
    if new.name != origin:
        raise InvalidKey(f"the new key is named {new.name!r}; the log's keys are named {origin!r}")
    if any(key.vkey == new.verifier.vkey for key in keys):
        raise KeyAlreadyUsed(
            f"the key {new.verifier.vkey} has signed this log before", vkey=new.verifier.vkey
        )


def _sign_by_both(uow: UnitOfWork, old: Signer, new: Signer, size: int) -> SignedCheckpoint:
    head_size, root = uow.log.head()
    assert head_size == size, "the head is locked: nothing was appended after the rotation's leaf"
    last = uow.log.last_checkpoint()
    if last is not None:
        require_consistent(uow.log, last, size, root)
    note = cosign_note(sign_checkpoint(Checkpoint(uow.signer.origin, size, root), old), new)
    return uow.log.add_checkpoint(size, root, note)
