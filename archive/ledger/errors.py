"""The ledger's errors, as branches of the project's one exception tree (`archive.errors`).

ArchiveError
├── InvalidInput
│   ├── InvalidProof            a proof, root or leaf hash that does not verify
│   ├── InvalidTreeRequest      a tree operation that cannot be (index ≥ size, old size > new size, …)
│   ├── InvalidNote             a malformed signed note, or one no known key signed
│   ├── InvalidKey              a malformed signer or verifier key string
│   ├── InvalidCheckpoint       a checkpoint body that breaks c2sp.org/tlog-checkpoint
│   ├── InvalidEntry            an event that cannot be a log entry
│   └── InvalidTimestamp        an RFC 3161 reply or token that is malformed or does not verify
└── LedgerStorageError
    ├── MissingNodes            the node store lacks a subtree a tree of that size must have
    └── NodeConflict            a stored subtree would change, which an append-only tree never does

What a client sent wrong is `InvalidInput`; what the server's own store got wrong is not, so the API reports
it as a server error rather than blaming the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.errors import ArchiveError, InvalidInput


class InvalidProof(InvalidInput):
    title = "Invalid proof"


class InvalidTreeRequest(InvalidInput):
    title = "Invalid tree request"


class InvalidNote(InvalidInput):
    title = "Invalid signed note"


class InvalidKey(InvalidInput):
    title = "Invalid key"


class InvalidCheckpoint(InvalidInput):
    title = "Invalid checkpoint"


class InvalidEntry(InvalidInput):
    title = "Invalid log entry"


class InvalidTimestamp(InvalidInput):
    title = "Invalid time-stamp"


class LedgerStorageError(ArchiveError):
    title = "Ledger storage error"


class MissingNodes(LedgerStorageError):
    title = "Ledger nodes missing"

    def __init__(self, keys: Sequence[tuple[int, int]]) -> None:
        listed = ", ".join(f"({level}, {index})" for level, index in keys)
        super().__init__(f"the node store lacks the subtrees {listed}", keys=[list(key) for key in keys])


class NodeConflict(LedgerStorageError):
    title = "Ledger node conflict"

    def __init__(self, level: int, index: int) -> None:
        super().__init__(
            f"subtree ({level}, {index}) is already stored with a different hash", level=level, index=index
        )
