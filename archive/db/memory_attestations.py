"""The attestations repository over `MemoryTables`, for the fake unit of work (`archive.db.memory`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from archive.db.log_models import Attestor, CheckpointAttestation, SignedCheckpoint
from archive.db.repositories.attestations import NewAttestation

if TYPE_CHECKING:  # the tables module builds this repository, so it is imported for types only
    from archive.db.memory import MemoryTables


class MemoryAttestationRepository:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def ensure_attestor(self, attestor_id: str, kind: str, url: str) -> None:
        self.tables.attestors.setdefault(
            attestor_id, Attestor(id=attestor_id, kind=kind, url=url, attested_size=0)
        )

    def attestors(self) -> Sequence[Attestor]:
        return sorted(self.tables.attestors.values(), key=lambda a: (a.kind, a.id))

    def claim(self, attestor_id: str, *, now: datetime, lease_until: datetime, due_before: datetime) -> bool:
        attestor = self.tables.attestors.get(attestor_id)
        if attestor is None or (attestor.lease_until is not None and attestor.lease_until >= now):
            return False
        if attestor.last_attempt_at is not None and attestor.last_attempt_at > due_before:
            return False
        attestor.lease_until, attestor.last_attempt_at = lease_until, now
        return True

    def get(self, attestor_id: str) -> Attestor | None:
        return self.tables.attestors.get(attestor_id)

    def release(
        self, attestor_id: str, *, now: datetime, attested_size: int | None, error: str | None
    ) -> None:
        attestor = self.tables.attestors[attestor_id]
        attestor.lease_until, attestor.last_error = None, error
        if error is None:
            attestor.last_success_at = now
        if attested_size is not None:
            attestor.attested_size = attested_size

    def add(self, attestation: NewAttestation) -> None:
        key = (attestation.tree_size, attestation.attestor)
        self.tables.attestations.setdefault(key, CheckpointAttestation(**asdict(attestation)))

    def of_checkpoint(self, tree_size: int) -> Sequence[CheckpointAttestation]:
        found = [a for (size, _), a in self.tables.attestations.items() if size == tree_size]
        return sorted(found, key=lambda a: (a.kind, a.attestor))

    def newest_attested(self, min_size: int) -> SignedCheckpoint | None:
        sizes = {size for size, _ in self.tables.attestations if size >= min_size}
        return self.tables.checkpoints[max(sizes)] if sizes else None
