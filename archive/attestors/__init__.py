"""The archive's clients of outside attestors: C2SP tlog-witnesses (add-checkpoint) and an RFC 3161
time-stamping authority. Each translates its transport's failures into the errors of `errors`; what the
answers mean is checked by `archive.ledger` (cosignatures, time-stamps) and decided by
`archive.services.publishing`."""

from archive.attestors.authority import TimestampAuthority
from archive.attestors.errors import AttestationRefused, AttestorUnavailable, WitnessConflict
from archive.attestors.witness import WitnessClient

__all__ = [
    "AttestationRefused",
    "AttestorUnavailable",
    "TimestampAuthority",
    "WitnessClient",
    "WitnessConflict",
]
