"""Which key signs the log's checkpoints, and every key that ever did (the `signing_keys` rows).

The archive began keeping its keys' history when it learned to rotate them: the first time a checkpoint is
signed (or a rotation made) with no key recorded, the key in hand is recorded as the log's first, signing
every size from 0. Until then the listing shows that key alone, not yet recorded.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.db.log_models import SigningKey
from archive.errors import ArchiveError
from archive.ledger import Signer, Verifier
from archive.ledger.keyring import KeyRange, Keyring
from archive.services.unit_of_work import UnitOfWork


class SigningKeysInconsistent(ArchiveError):
    """The recorded keys do not say which one signs now (none, or more than one, is unretired)."""

    title = "Signing keys inconsistent"


def key_row(verifier: Verifier, first_size: int) -> SigningKey:
    return SigningKey(
        vkey=verifier.vkey,
        name=verifier.name,
        key_id=verifier.key_id.hex(),
        public_key=verifier.public_key,
        first_size=first_size,
    )


def key_history(uow: UnitOfWork) -> Sequence[SigningKey]:
    """Every key, oldest first; before any is recorded, the key in hand (not added to the session)."""
    recorded = uow.signing_keys.all()
    return recorded or [key_row(uow.signer.signer.verifier, 0)]


def recorded_keys(uow: UnitOfWork) -> Sequence[SigningKey]:
    """Every key, oldest first, recording the key in hand as the first when none is (in a writing
    transaction; the log's head is locked first, so two workers cannot both record a first key)."""
    recorded = uow.signing_keys.all()
    if recorded:
        return recorded
    uow.log.lock_head()
    recorded = uow.signing_keys.all()
    if not recorded:
        uow.signing_keys.add(key_row(uow.signer.signer.verifier, 0))
        recorded = uow.signing_keys.all()
    return recorded


def active_key(keys: Sequence[SigningKey]) -> SigningKey:
    active = [key for key in keys if key.last_size is None]
    if len(active) != 1:
        raise SigningKeysInconsistent(
            f"{len(active)} of the log's recorded signing keys are unretired; exactly one must be"
        )
    return active[0]


def active_signer(uow: UnitOfWork) -> Signer:
    """The signer of the key that signs now (read its tree head before calling this, so that a rotation
    committed meanwhile is seen here rather than missed)."""
    return uow.signer.signer_for(active_key(recorded_keys(uow)).vkey)


def keyring(keys: Sequence[SigningKey]) -> Keyring:
    """The keys as a verifier holds them: each with the range of sizes it signs."""
    return Keyring([KeyRange(Verifier.from_vkey(k.vkey), k.first_size, k.last_size) for k in keys])
