"""The verifiable log in the database: appending events, signing checkpoints, proofs and receipts.

Appends lock the single `log_head` row (SELECT … FOR UPDATE on PostgreSQL; SQLite takes its write lock at
BEGIN), so any number of API workers over one database extend one tree and never fork it. Every append and
every proof reads O(log n) stored subtree hashes, never the whole log. A checkpoint is signed only after a
consistency proof from the last signed one verifies.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from archive.db.models import LogEntry, LogHead, LogNode, SignedCheckpoint, Version
from archive.db.repository import Repository
from archive.errors import ArchiveError, NotFound
from archive.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    MemoryNodes,
    NodeKey,
    NodeReader,
    NodeRow,
    Signer,
    canonical_entry,
    consistency_proof,
    generate_signer,
    inclusion_proof,
    leaf_hash,
    nodes_completed_by_append,
    root_hash,
    sign_checkpoint,
    verify_consistency,
    version_added,
)


class LogForked(ArchiveError):
    """The stored tree is not consistent with a checkpoint signed before: nothing more is signed."""

    title = "Log inconsistent with a signed checkpoint"


class DatabaseNodes:
    """The `NodeReader` of the stored tree: one query per batch of keys."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        if not keys:
            return {}
        by_level: dict[int, list[int]] = {}
        for level, index in keys:
            by_level.setdefault(level, []).append(index)
        # One `level = ? AND node_index IN (…)` per level: each is a primary-key lookup (a row-value
        # IN list makes SQLite scan the table).
        rows = self.session.execute(
            select(LogNode.level, LogNode.node_index, LogNode.hash).where(
                or_(
                    *(
                        and_(LogNode.level == level, LogNode.node_index.in_(indexes))
                        for level, indexes in by_level.items()
                    )
                )
            )
        ).all()
        return {(level, index): bytes(digest) for level, index, digest in rows}


@dataclass(frozen=True)
class LogSigner:
    """The log's identity: its origin line and the Ed25519 key that signs its checkpoints."""

    origin: str
    signer: Signer

    @property
    def verifier_key(self) -> str:
        return self.signer.verifier.vkey

    @classmethod
    def load_or_create(cls, origin: str, key_file: Path) -> LogSigner:
        """The key kept at `key_file`, made (readable by its owner only) on first start."""
        if not key_file.exists():
            _create_key_file(key_file, origin)
        signer = Signer.from_key_string(key_file.read_text().strip())
        if signer.name != origin:
            raise ArchiveError(
                f"the signing key in {key_file} is for the log {signer.name!r}, not {origin!r}: "
                "set ARCHIVE_LOG_ORIGIN to match it, or point ARCHIVE_SIGNING_KEY_FILE at another key"
            )
        return cls(origin, signer)


def _create_key_file(key_file: Path, origin: str) -> None:
    """Write a new key beside `key_file`, then link it into place: another process starting at the same
    moment either wins (and both use its key) or reads a whole file, never a half-written one."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    secret, _ = generate_signer(origin)
    fd, name = tempfile.mkstemp(prefix=".signing-", dir=key_file.parent)
    draft = Path(name)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secret + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(draft, key_file)
    finally:
        draft.unlink(missing_ok=True)


def _locked_head(session: Session) -> LogHead:
    query = select(LogHead).where(LogHead.id == 1).with_for_update()
    head = session.scalars(query).one_or_none()
    if head is None:
        Repository(session).insert_ignoring_conflict(LogHead, id=1, size=0, root_hash=EMPTY_ROOT)
        head = session.scalars(query).one()
    return head


def append_event(session: Session, event: Mapping[str, Any]) -> int:
    """Add an event as the log's next leaf (in the caller's transaction); its index."""
    entry = canonical_entry(event)
    digest = leaf_hash(entry)
    head = _locked_head(session)
    index = head.size
    nodes = DatabaseNodes(session)
    completed = nodes_completed_by_append(nodes, index, digest)
    session.add(LogEntry(leaf_index=index, entry=entry, leaf_hash=digest, event_type=str(event["type"])))
    session.add_all(LogNode(level=level, node_index=i, hash=h) for level, i, h in completed)
    head.size = index + 1
    with session.no_autoflush:  # the new nodes are laid over the stored ones, not written and read back
        head.root_hash = root_hash(_Appending(nodes, completed), index + 1)
    session.flush()
    return index


class _Appending:
    """The stored tree with an append's new nodes laid over it, so that the new root is computed before
    they are written (one flush per append, not two)."""

    def __init__(self, stored: NodeReader, new: Sequence[NodeRow]) -> None:
        self.stored = stored
        self.new = {(level, index): digest for level, index, digest in new}

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        found = {key: self.new[key] for key in keys if key in self.new}
        found.update(self.stored.get_nodes([key for key in keys if key not in self.new]))
        return found


def metadata_digest(version: Version) -> str:
    """SHA-256 of the canonical JSON of what the version says about its document (fields and credits)."""
    described = {
        "supplied": version.supplied,
        "fields": {
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name in ("title", "subtitle", "publisher", "language", "published_at", "modified_at")
            if (value := getattr(version, name)) is not None
        },
        "source_url": version.source_url,
        "credits": [
            {"name": c.name, "role": c.role, "source": c.source} for c in version.credits if c.accepted
        ],
        "notices": [notice.text for notice in version.notices],
    }
    return hashlib.sha256(rfc8785.dumps(described)).hexdigest()


def log_version(session: Session, version: Version) -> int:
    """Record a new version in the log; sets and returns its `log_index`. The version's credits and notices
    are those loaded on it (`record_attribution` sets them)."""
    session.flush()
    blob = version.blob
    version.log_index = append_event(
        session,
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
    session.flush()
    return version.log_index


def tree_size(session: Session) -> int:
    head = session.get(LogHead, 1)
    return head.size if head is not None else 0


def latest_checkpoint(session: Session, log: LogSigner) -> SignedCheckpoint:
    """The checkpoint of the log as it stands, signed now unless it was already."""
    head = session.get(LogHead, 1)
    size, root = (head.size, bytes(head.root_hash)) if head is not None else (0, EMPTY_ROOT)
    last = session.scalars(
        select(SignedCheckpoint).order_by(SignedCheckpoint.tree_size.desc()).limit(1)
    ).one_or_none()
    if last is not None and last.tree_size == size:
        return last
    if last is not None:
        _require_consistent(session, last, size, root)
    note = sign_checkpoint(Checkpoint(log.origin, size, root), log.signer)
    Repository(session).insert_ignoring_conflict(SignedCheckpoint, tree_size=size, root_hash=root, note=note)
    signed = session.get(SignedCheckpoint, size)
    assert signed is not None
    return signed


def _require_consistent(session: Session, last: SignedCheckpoint, size: int, root: bytes) -> None:
    if last.tree_size > size:
        raise LogForked(f"the log has {size} leaves but a checkpoint of {last.tree_size} was signed")
    if last.tree_size == 0:
        return
    proof = consistency_proof(DatabaseNodes(session), last.tree_size, size)
    try:
        verify_consistency(last.tree_size, size, bytes(last.root_hash), root, proof)
    except ArchiveError as exc:
        raise LogForked(
            f"the tree of {size} leaves is not consistent with the checkpoint of {last.tree_size}"
        ) from exc


def get_entry(session: Session, index: int) -> LogEntry:
    entry = session.get(LogEntry, index)
    if entry is None:
        raise NotFound(f"the log has no entry {index}", index=index)
    return entry


def _require_size(session: Session, size: int) -> None:
    current = tree_size(session)
    if size > current:
        raise NotFound(f"the log has {current} leaves, not {size}", tree_size=current)


def prove_inclusion(session: Session, index: int, size: int) -> list[bytes]:
    _require_size(session, size)
    return inclusion_proof(DatabaseNodes(session), index, size)


def prove_consistency(session: Session, old_size: int, new_size: int) -> list[bytes]:
    _require_size(session, new_size)
    return consistency_proof(DatabaseNodes(session), old_size, new_size)


@dataclass(frozen=True)
class Receipt:
    entry: bytes
    index: int
    tree_size: int
    hashes: list[bytes]
    checkpoint: str


def receipt_for(session: Session, log: LogSigner, version: Version) -> Receipt:
    """What an uploader keeps to prove, offline, that this version was archived."""
    if version.log_index is None:
        raise NotFound(
            f"version {version.number} of {version.document_id} was archived before the log began",
            document_id=version.document_id,
            version=version.number,
        )
    checkpoint = latest_checkpoint(session, log)
    entry = get_entry(session, version.log_index)
    hashes = inclusion_proof(DatabaseNodes(session), version.log_index, checkpoint.tree_size)
    return Receipt(bytes(entry.entry), version.log_index, checkpoint.tree_size, hashes, checkpoint.note)


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
    session: Session, batch: int = 10_000, progress: Callable[[int, int], None] | None = None
) -> LogVerification:
    """Recompute the whole tree from the stored leaves and hold it against the stored hashes, the head
    and every signed checkpoint; report the first leaf where they part."""
    size = tree_size(session)
    signed = {c.tree_size: bytes(c.root_hash) for c in session.scalars(select(SignedCheckpoint))}
    recomputed = MemoryNodes()
    try:
        for start in range(0, size, batch):
            _recompute_batch(session, start, batch, recomputed, signed)
            if progress is not None:
                progress(min(start + batch, size), size)
        head = session.get(LogHead, 1)
        if head is not None and root_hash(recomputed, size) != bytes(head.root_hash):
            raise _LeafMismatch(None, "the leaves do not give the stored root")
        if any(checkpoint > size for checkpoint in signed):
            raise _LeafMismatch(size, f"a checkpoint was signed for more than the {size} leaves stored")
    except _LeafMismatch as mismatch:
        return LogVerification(size, len(signed), mismatch.index, mismatch.problem)
    return LogVerification(size=size, checkpoints=len(signed), first_bad_index=None, problem=None)


def _recompute_batch(
    session: Session, start: int, batch: int, recomputed: MemoryNodes, signed: dict[int, bytes]
) -> None:
    entries = session.scalars(
        select(LogEntry)
        .where(LogEntry.leaf_index >= start, LogEntry.leaf_index < start + batch)
        .order_by(LogEntry.leaf_index)
    ).all()
    leaves = DatabaseNodes(session).get_nodes([(0, e.leaf_index) for e in entries])
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
