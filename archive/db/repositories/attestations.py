"""What witnesses and the time-stamping authority vouched for signed checkpoints, and where each stands.

Offering a checkpoint to an attestor takes a network call, so no transaction stays open over it: a worker
claims the attestor with one conditional UPDATE (free of any unexpired lease, and last tried at least an
interval ago), which succeeds for one worker of any number on one database, calls it, then records what it
said and frees the claim in a second transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select, update

from archive.db.log_models import Attestor, CheckpointAttestation, SignedCheckpoint
from archive.db.repositories.base import SqlRepository


@dataclass(frozen=True)
class NewAttestation:
    tree_size: int
    attestor: str
    kind: str
    value: bytes
    attested_at: datetime
    received_at: datetime


class SqlAttestationRepository(SqlRepository):
    def ensure_attestor(self, attestor_id: str, kind: str, url: str) -> None:
        self.insert_ignoring_conflict(Attestor, id=attestor_id, kind=kind, url=url, attested_size=0)

    def attestors(self) -> Sequence[Attestor]:
        return self.session.scalars(select(Attestor).order_by(Attestor.kind, Attestor.id)).all()

    def claim(self, attestor_id: str, *, now: datetime, lease_until: datetime, due_before: datetime) -> bool:
        """Take the attestor's turn unless another worker holds it or it was tried after `due_before`."""
        claimed = self.session.execute(
            update(Attestor)
            .where(
                Attestor.id == attestor_id,
                or_(Attestor.lease_until.is_(None), Attestor.lease_until < now),
                or_(Attestor.last_attempt_at.is_(None), Attestor.last_attempt_at <= due_before),
            )
            .values(lease_until=lease_until, last_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(claimed, "rowcount", 0) == 1)

    def get(self, attestor_id: str) -> Attestor | None:
        return self.session.get(Attestor, attestor_id)

    def release(
        self, attestor_id: str, *, now: datetime, attested_size: int | None, error: str | None
    ) -> None:
        """Record how the turn went (a new attested size on success, the error otherwise) and free it."""
        values: dict[str, object] = {"lease_until": None, "last_error": error}
        if error is None:
            values["last_success_at"] = now
        if attested_size is not None:
            values["attested_size"] = attested_size
        self.session.execute(
            update(Attestor)
            .where(Attestor.id == attestor_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.session.flush()

    def add(self, attestation: NewAttestation) -> None:
        """Keep an attestation (one already kept for this checkpoint and attestor stands)."""
        self.insert_ignoring_conflict(CheckpointAttestation, **asdict(attestation))
        self.session.flush()

    def of_checkpoint(self, tree_size: int) -> Sequence[CheckpointAttestation]:
        return self.session.scalars(
            select(CheckpointAttestation)
            .where(CheckpointAttestation.tree_size == tree_size)
            .order_by(CheckpointAttestation.kind, CheckpointAttestation.attestor)
        ).all()

    def newest_attested(self, min_size: int) -> SignedCheckpoint | None:
        """The newest signed checkpoint of at least `min_size` leaves that anyone attested."""
        attested = exists().where(CheckpointAttestation.tree_size == SignedCheckpoint.tree_size)
        return self.session.scalars(
            select(SignedCheckpoint)
            .where(SignedCheckpoint.tree_size >= min_size, attested)
            .order_by(SignedCheckpoint.tree_size.desc())
            .limit(1)
        ).one_or_none()
