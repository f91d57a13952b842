"""Trust beyond the archive's key: the newest checkpoint, once per interval, offered to witnesses (C2SP
tlog-witness) for their cosignatures and to an RFC 3161 authority for a time-stamp.

`publish_checkpoint` is the whole periodic job, a plain function over a unit of work: idempotent, and safe
to run from any number of processes at once. Each attestor is claimed for its turn by one conditional
UPDATE (`AttestationRepository.claim`), so one worker of many makes the call, and none of them holds a
transaction open across the network. An attestor that cannot be reached or that refuses costs nothing but
its attestation: uploads, receipts and the served checkpoint go on without it, it is tried again at the
next interval on the newest checkpoint then, and its last error stays visible (`attestor_states`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509

from archive.attestors import (
    AttestationRefused,
    AttestorUnavailable,
    TimestampAuthority,
    WitnessClient,
    WitnessConflict,
)
from archive.db.log_models import Attestor, SignedCheckpoint
from archive.db.models import utcnow
from archive.db.repositories import NewAttestation
from archive.errors import ArchiveError
from archive.ledger import consistency_proof
from archive.ledger.notes import note_signatures
from archive.ledger.timestamps import read_reply, timestamp_request
from archive.services.log import latest_checkpoint
from archive.services.unit_of_work import UnitOfWork

log = logging.getLogger("archive.publishing")

COSIGNATURE = "cosignature"
TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class Publication:
    """Who the log's checkpoints are offered to, and how often."""

    witnesses: Sequence[WitnessClient] = ()
    authority: TimestampAuthority | None = None
    roots: list[x509.Certificate] = field(default_factory=list)
    interval: timedelta = timedelta(seconds=10)
    timeout: float = 10.0

    @property
    def active(self) -> bool:
        return bool(self.witnesses) or self.authority is not None

    @property
    def lease(self) -> timedelta:
        """Long enough for a witness's 409 and the retry, each up to the timeout."""
        return timedelta(seconds=4 * self.timeout + 5)


@dataclass(frozen=True)
class Outcome:
    """What one attestor's turn came to: `attested`, `current` (it had this checkpoint already), `not due`
    (tried within the interval, or another worker has the turn), `unavailable` or `refused`."""

    attestor: str
    tree_size: int
    result: str
    detail: str | None = None


Attempt = Callable[[int], tuple[int, list[NewAttestation]]]
AttemptOn = Callable[[SignedCheckpoint], Attempt]


def publish_checkpoint(
    uow: UnitOfWork, publication: Publication, now: datetime | None = None
) -> list[Outcome]:
    """Sign the newest checkpoint (unless it is) and offer it to every attestor whose turn it is."""
    now = now or utcnow()
    with uow.writing():
        size = latest_checkpoint(uow).tree_size
        for witness in publication.witnesses:
            uow.attestations.ensure_attestor(witness.ident, COSIGNATURE, witness.url)
        if publication.authority is not None:
            authority = publication.authority
            uow.attestations.ensure_attestor(authority.ident, TIMESTAMP, authority.url)
    if size == 0:
        return []
    turns: list[tuple[str, AttemptOn]] = [
        (witness.ident, _offer(uow, witness)) for witness in publication.witnesses
    ]
    if publication.authority is not None:
        turns.append((publication.authority.ident, _stamp(publication.authority, publication.roots)))
    return [
        _turn(uow, publication, ident=ident, now=now, attempt_on=attempt_on) for ident, attempt_on in turns
    ]


def _turn(
    uow: UnitOfWork, publication: Publication, *, ident: str, now: datetime, attempt_on: AttemptOn
) -> Outcome:
    """Claim the attestor for the newest checkpoint (read in the claim's transaction, so that no worker
    offers one older than another worker's), call it outside any transaction, record what it said and
    free it."""
    with uow.writing():
        checkpoint = latest_checkpoint(uow)
        size = checkpoint.tree_size
        attestor = uow.attestations.get(ident)
        assert attestor is not None
        if attestor.attested_size == size:
            return Outcome(ident, size, "current")
        old_size = attestor.attested_size
        due_before = now - publication.interval
        if not uow.attestations.claim(
            ident, now=now, lease_until=now + publication.lease, due_before=due_before
        ):
            return Outcome(ident, size, "not due")
    attested: int | None = None
    kept: list[NewAttestation] = []
    try:
        attested, kept = attempt_on(checkpoint)(old_size)
        outcome = Outcome(ident, size, "attested")
    except AttestorUnavailable as exc:
        outcome = Outcome(ident, size, "unavailable", exc.detail)
        log.warning("checkpoint %d not attested: %s", size, exc.detail)
    except ArchiveError as exc:  # a refusal, or an answer that does not check out
        outcome = Outcome(ident, size, "refused", exc.detail)
        log.error("checkpoint %d refused: %s", size, exc.detail)
    with uow.writing():
        for attestation in kept:
            uow.attestations.add(attestation)
        uow.attestations.release(ident, now=utcnow(), attested_size=attested, error=outcome.detail)
    return outcome


def _offer(uow: UnitOfWork, witness: WitnessClient) -> AttemptOn:
    """add-checkpoint from the size the witness last cosigned; after a 409, once more from the size it
    names (the spec's resync)."""

    def attempt_on(checkpoint: SignedCheckpoint) -> Attempt:
        return lambda old_size: _add_checkpoint(uow, witness, checkpoint, old_size)

    return attempt_on


def _add_checkpoint(
    uow: UnitOfWork, witness: WitnessClient, checkpoint: SignedCheckpoint, old_size: int
) -> tuple[int, list[NewAttestation]]:
    size, note = checkpoint.tree_size, checkpoint.note
    body, _ = note_signatures(note)
    for _ in range(2):
        if old_size > size:
            raise AttestationRefused(
                f"witness {witness.ident} has cosigned a tree of {old_size} leaves, larger than the "
                f"log's {size}: it has seen a tree this log did not grow into",
                witness=witness.ident,
            )
        try:
            found = witness.add_checkpoint(old_size, _proof(uow, old_size, size), note, body)
        except WitnessConflict as conflict:
            old_size = conflict.size
            continue
        received = utcnow()
        return size, [
            NewAttestation(size, witness.ident, COSIGNATURE, c.line.encode(), _posix(c.timestamp), received)
            for c in found
        ]
    raise AttestationRefused(f"witness {witness.ident} answered 409 again after a resync")


def _proof(uow: UnitOfWork, old_size: int, size: int) -> list[bytes]:
    if old_size in (0, size):
        return []
    with uow.reading():
        return consistency_proof(uow.log, old_size, size)


def _stamp(authority: TimestampAuthority, roots: list[x509.Certificate]) -> AttemptOn:
    def attempt_on(checkpoint: SignedCheckpoint) -> Attempt:
        return lambda _old_size: _time_stamp(authority, roots, checkpoint)

    return attempt_on


def _time_stamp(
    authority: TimestampAuthority, roots: list[x509.Certificate], checkpoint: SignedCheckpoint
) -> tuple[int, list[NewAttestation]]:
    size = checkpoint.tree_size
    body, _ = note_signatures(checkpoint.note)
    request = timestamp_request(body)
    stamp = read_reply(authority.stamp(request.der), body, request.nonce, roots)
    return size, [NewAttestation(size, authority.ident, TIMESTAMP, stamp.token, stamp.gen_time, utcnow())]


def _posix(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def attestor_states(uow: UnitOfWork) -> tuple[int, Sequence[Attestor]]:
    """The newest signed checkpoint's size, and where every attestor stands against it."""
    last = uow.log.last_checkpoint()
    return (last.tree_size if last is not None else 0), uow.attestations.attestors()
