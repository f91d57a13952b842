"""The verifiable log: appending events, signing checkpoints, proofs and receipts.

Appends lock the log's head (`LogRepository.lock_head`), so any number of API workers over one database
extend one tree and never fork it. Every append and every proof reads O(log n) stored subtree hashes, never
the whole log. A checkpoint is signed only after a consistency proof from the last signed one verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

from archive.db.log_models import LogEntry, SignedCheckpoint
from archive.db.models import Version
from archive.db.repositories.ports import LogRepository
from archive.errors import ArchiveError, NotFound
from archive.ledger import (
    Checkpoint,
    MemoryNodes,
    NodeKey,
    NodeReader,
    NodeRow,
    canonical_entry,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    nodes_completed_by_append,
    root_hash,
    sign_checkpoint,
    verify_consistency,
    version_added,
)
from archive.ledger.cosignatures import with_cosignatures
from archive.services.attribution import DESCRIPTIVE_FIELDS
from archive.services.signing_keys import active_key, active_signer, key_history, keyring, recorded_keys
from archive.services.unit_of_work import UnitOfWork


class LogForked(ArchiveError):
    """The stored tree is not consistent with a checkpoint signed before: nothing more is signed."""

    title = "Log inconsistent with a signed checkpoint"


def append_event(log: LogRepository, event: Mapping[str, Any]) -> int:
    """Add an event as the log's next leaf (in the caller's transaction); its index."""
    entry = canonical_entry(event)
    digest = leaf_hash(entry)
    index = log.lock_head()
    completed = nodes_completed_by_append(log, index, digest)
    # The new nodes are laid over the stored ones, not written and read back: one flush per append.
    root = root_hash(_Appending(log, completed), index + 1)
    log.append(
        LogEntry(leaf_index=index, entry=entry, leaf_hash=digest, event_type=str(event["type"])),
        completed,
        root,
    )
    return index


class _Appending:
    """The stored tree with an append's new nodes laid over it, so that the new root is computed before
    they are written."""

    def __init__(self, stored: NodeReader, new: Sequence[NodeRow]) -> None:
        self.stored = stored
        self.new = {(level, index): digest for level, index, digest in new}

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        found = {key: self.new[key] for key in keys if key in self.new}
        found.update(self.stored.get_nodes([key for key in keys if key not in self.new]))
        return found


def metadata_digest(version: Version) -> str:
    """SHA-256 of the canonical JSON of what the version says about its document (fields and credits).

    A field left empty is left out, so a version that has none of the later fields digests as it did
    before they existed."""
    described = {
        "supplied": version.supplied,
        "fields": {
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name in DESCRIPTIVE_FIELDS
            if (value := getattr(version, name)) is not None
        },
        "source_url": version.source_url,
        "credits": [
            {"name": c.name, "role": c.role, "source": c.source} for c in version.credits if c.accepted
        ],
        "notices": [notice.text for notice in version.notices],
    }
    if version.content_credentials is not None:  # left out when absent: older digests stay as they were
        described["content_credentials"] = version.content_credentials
    return hashlib.sha256(rfc8785.dumps(described)).hexdigest()


def log_version(uow: UnitOfWork, version: Version) -> int:
    """Record a new version in the log before the version is written; sets and returns its `log_index`.
    The version's credits and notices are those loaded on it (`attribute` sets them)."""
    blob = version.blob
    version.log_index = append_event(
        uow.log,
        version_added(
            document_id=version.document_id,
            version=version.number,
            blake3=blob.blake3,
            sha256=blob.sha256,
            size=blob.size,
            media_type=version.media_type,
            metadata_sha256=metadata_digest(version),
            time=version.archived_at,
            actor=version.archived_by,
        ),
    )
    return version.log_index


def tree_size(uow: UnitOfWork) -> int:
    return uow.log.size()


def latest_checkpoint(uow: UnitOfWork) -> SignedCheckpoint:
    """The checkpoint of the log as it stands, signed now unless it was already."""
    size, root = uow.log.head()
    last = uow.log.last_checkpoint()
    if last is not None and last.tree_size == size:
        return last
    if last is not None:
        require_consistent(uow.log, last, size, root)
    # The head was read first: a rotation committed since is seen below, never missed.
    note = sign_checkpoint(Checkpoint(uow.signer.origin, size, root), active_signer(uow))
    return uow.log.add_checkpoint(size, root, note)


def require_consistent(log: LogRepository, last: SignedCheckpoint, size: int, root: bytes) -> None:
    if last.tree_size > size:
        raise LogForked(f"the log has {size} leaves but a checkpoint of {last.tree_size} was signed")
    if last.tree_size == 0:
        return
    proof = consistency_proof(log, last.tree_size, size)
    try:
        verify_consistency(last.tree_size, size, bytes(last.root_hash), root, proof)
    except ArchiveError as exc:
        raise LogForked(
            f"the tree of {size} leaves is not consistent with the checkpoint of {last.tree_size}"
        ) from exc


def get_entry(uow: UnitOfWork, index: int) -> LogEntry:
    entry = uow.log.entry(index)
    if entry is None:
        raise NotFound(f"the log has no entry {index}", index=index)
    return entry


def _require_size(uow: UnitOfWork, size: int) -> None:
    current = tree_size(uow)
    if size > current:
        raise NotFound(f"the log has {current} leaves, not {size}", tree_size=current)


def prove_inclusion(uow: UnitOfWork, index: int, size: int) -> list[bytes]:
    """The proof that leaf `index` is in the tree of `size` leaves; `NotFound` when that tree does not exist
    or holds no such leaf (there is no such proof to give)."""
    _require_size(uow, size)
    if index >= size:
        raise NotFound(f"a tree of {size} leaves has no leaf {index}", index=index, tree_size=size)
    return inclusion_proof(uow.log, index, size)


def prove_consistency(uow: UnitOfWork, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `new_size` leaves extends the one of `old_size`; `NotFound` when either
    tree does not exist, or the old one is the larger (no tree extends a larger one)."""
    _require_size(uow, new_size)
    if old_size > new_size:
        raise NotFound(
            f"no consistency proof from {old_size} to {new_size} leaves: a tree only extends smaller ones",
            old_size=old_size,
            new_size=new_size,
        )
    return consistency_proof(uow.log, old_size, new_size)


def attested_note(uow: UnitOfWork, checkpoint: SignedCheckpoint) -> tuple[str, bytes | None]:
    """The checkpoint's signed note with the witnesses' cosignatures appended, and its RFC 3161 token
    (None when it has not been time-stamped)."""
    attestations = uow.attestations.of_checkpoint(checkpoint.tree_size)
    lines = [bytes(a.value).decode() for a in attestations if a.kind == "cosignature"]
    token = next((bytes(a.value) for a in attestations if a.kind == "timestamp"), None)
    return with_cosignatures(checkpoint.note, lines), token


def served_checkpoint(uow: UnitOfWork) -> str:
    """The newest checkpoint, signed now unless it was, with every cosignature it has gathered."""
    return attested_note(uow, latest_checkpoint(uow))[0]


@dataclass(frozen=True)
class Receipt:
    entry: bytes
    index: int
    tree_size: int
    hashes: list[bytes]
    checkpoint: str
    timestamp: bytes | None = None


def receipt_for(uow: UnitOfWork, version: Version) -> Receipt:
    """What an uploader keeps to prove, offline, that this version was archived: its leaf and an inclusion
    proof to the newest checkpoint that witnesses cosigned or an authority time-stamped, with those
    attestations; before any such checkpoint holds the leaf (or one the current key signed), to the newest
    checkpoint (signed now)."""
    if version.log_index is None:
        raise NotFound(
            f"version {version.number} of {version.document_id} was archived before the log began",
            document_id=version.document_id,
            version=version.number,
        )
    # Only checkpoints the key that signs now signed: after a rotation (above all after a compromise) a
    # receipt fetched again leads to the new key, never back to the retired one.
    floor = max(version.log_index + 1, active_key(recorded_keys(uow)).first_size)
    checkpoint = uow.attestations.newest_attested(floor) or latest_checkpoint(uow)
    note, token = attested_note(uow, checkpoint)
    entry = get_entry(uow, version.log_index)
    hashes = inclusion_proof(uow.log, version.log_index, checkpoint.tree_size)
    return Receipt(bytes(entry.entry), version.log_index, checkpoint.tree_size, hashes, note, token)


@dataclass(frozen=True)
class LogVerification:
    size: int
    checkpoints: int
    first_bad_index: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _LeafMismatch(Exception):
    def __init__(self, index: int | None, problem: str) -> None:
        super().__init__(problem)
        self.index = index
        self.problem = problem


def verify_log(
    uow: UnitOfWork, batch: int = 10_000, progress: Callable[[int, int], None] | None = None
) -> LogVerification:
    """Recompute the whole tree from the stored leaves and hold it against the stored hashes, the head
    and every signed checkpoint (each signature checked against the key that signed its size); report
    the first leaf where they part."""
    size, stored_root = uow.log.head()
    signed = uow.log.signed_roots()
    recomputed = MemoryNodes()
    try:
        for start in range(0, size, batch):
            _recompute_batch(uow.log, start, batch, recomputed, signed)
            if progress is not None:
                progress(min(start + batch, size), size)
        if root_hash(recomputed, size) != stored_root:
            raise _LeafMismatch(None, "the leaves do not give the stored root")
        if any(checkpoint > size for checkpoint in signed):
            raise _LeafMismatch(size, f"a checkpoint was signed for more than the {size} leaves stored")
        _check_signatures(uow)
    except _LeafMismatch as mismatch:
        return LogVerification(size, len(signed), mismatch.index, mismatch.problem)
    return LogVerification(size=size, checkpoints=len(signed), first_bad_index=None, problem=None)


def _check_signatures(uow: UnitOfWork, page: int = 1000) -> None:
    """Every stored checkpoint opens under the key (or, across a rotation, the keys) whose range covers
    its size, and says the size and root it is stored under."""
    ring = keyring(key_history(uow))
    after = -1
    while batch := uow.log.checkpoints_after(after, page):
        for stored in batch:
            try:
                opened = ring.open_checkpoint(stored.note, uow.signer.origin)
            except ArchiveError as exc:
                raise _LeafMismatch(None, f"the checkpoint of {stored.tree_size}: {exc.detail}") from exc
            if (opened.size, opened.root_hash) != (stored.tree_size, bytes(stored.root_hash)):
                raise _LeafMismatch(None, f"the checkpoint of {stored.tree_size} signs another tree")
        after = batch[-1].tree_size


def _recompute_batch(
    log: LogRepository, start: int, batch: int, recomputed: MemoryNodes, signed: dict[int, bytes]
) -> None:
    entries = log.entries(start, start + batch)
    leaves = log.get_nodes([(0, e.leaf_index) for e in entries])
    for index, entry in enumerate(entries, start):
        if entry.leaf_index != index:
            raise _LeafMismatch(index, f"leaf {index} is missing")
        if not isinstance(entry.entry, bytes):
            raise _LeafMismatch(index, f"leaf {index} is not stored as bytes")
        digest = leaf_hash(entry.entry)
        if digest != bytes(entry.leaf_hash) or leaves.get((0, index)) != digest:
            raise _LeafMismatch(index, f"leaf {index} does not hash to its entry")
        recomputed.append(digest)
        grown = index + 1
        if grown in signed and root_hash(recomputed, grown) != signed[grown]:
            raise _LeafMismatch(None, f"the leaves up to {grown} do not give the root signed for {grown}")
