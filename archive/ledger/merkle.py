"""An append-only Merkle tree exactly as RFC 9162 section 2.1 defines it, kept as stored complete subtrees.

Node (level, index) is the hash of leaves [index·2^level, (index+1)·2^level). It exists once those leaves
exist and never changes afterwards, so a store only ever inserts rows and never rewrites one. A tree of n
leaves is covered, left to right, by the complete subtrees of n's binary decomposition (13 = 8 + 4 + 1), and
every hash the RFC asks for - a root, a proof element - is a fold of at most ⌈log2 n⌉ + 1 stored nodes; the
incomplete subtrees on the right edge are never stored, because they change with every append.

Every operation first plans the node keys it needs, reads them with ONE `get_nodes` call (one query for a
database), then hashes: O(log n) reads and hashes, never a scan of the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from archive.ledger.errors import InvalidProof, InvalidTreeRequest, MissingNodes, NodeConflict

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
"""(level, index): the complete subtree over leaves [index·2^level, (index+1)·2^level)."""

NodeRow = tuple[int, int, bytes]
"""(level, index, hash): one stored subtree."""

LeafRange = tuple[int, int]
"""[start, end): the leaves a hash the RFC defines is taken over."""


class NodeReader(Protocol):
    """Read access to stored complete subtrees."""

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The stored hashes of those of `keys` that exist; a key with no stored node is left out."""
        ...


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 2.1.1: the 0x00 prefix keeps a leaf from ever being mistaken for an interior node."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


# Appending


def nodes_completed_by_append(reader: NodeReader, size: int, new_leaf_hash: bytes) -> list[NodeRow]:
    """The rows to store when leaf number `size` is appended to a tree of `size` leaves: the leaf itself at
    level 0, then every subtree it completes, lowest first. Reads only the left siblings on the way up.

    Appends must be serialised by the caller (one writer, or a lock on the tree size): two appends computed
    at the same size would both claim row (0, size), which a primary key on (level, index) then refuses."""
    _require_size(size)
    _require_hash(new_leaf_hash, "the new leaf hash", InvalidTreeRequest)
    # Leaf `size` completes the subtree at level l exactly when size + 1 is a multiple of 2^l: once per
    # trailing 1 bit of `size`. At each such level it lies in the right half, whose left half is stored.
    completed = _trailing_ones(size)
    siblings = [(level, (size >> level) - 1) for level in range(completed)]
    nodes = _read(reader, siblings)
    rows = [(0, size, new_leaf_hash)]
    current = new_leaf_hash
    for level, key in enumerate(siblings, start=1):
        current = node_hash(nodes[key], current)
        rows.append((level, size >> level, current))
    return rows


# Roots and proofs from stored subtrees


def root_hash(reader: NodeReader, size: int) -> bytes:
    """MTH(D[0:size]) (RFC 9162 2.1.1); SHA-256 of nothing for the empty tree."""
    _require_size(size)
    if size == 0:
        return EMPTY_ROOT
    (root,) = _hash_ranges(reader, [(0, size)])
    return root


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 9162 2.1.3.1): sibling hashes from the leaf up to the root."""
    _require_size(size)
    if not 0 <= index < size:
        raise InvalidTreeRequest(
            f"leaf index {index} is outside a tree of {size} leaves", index=index, size=size
        )
    return _hash_ranges(reader, inclusion_ranges(index, size))


def consistency_proof(reader: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) (RFC 9162 2.1.4.1). Refuses old_size 0: every tree extends the empty
    one, so such a proof would prove nothing, and verifiers (this one included) reject it."""
    _require_size(new_size)
    if not 0 < old_size <= new_size:
        raise InvalidTreeRequest(
            f"no consistency proof from {old_size} to {new_size} leaves: "
            "the old size must be at least 1 and at most the new size",
            old_size=old_size,
            new_size=new_size,
        )
    return _hash_ranges(reader, consistency_ranges(old_size, new_size))


def inclusion_ranges(index: int, size: int) -> list[LeafRange]:
    """The leaf ranges whose hashes make up PATH(index, D[0:size]), in proof order (leaf first).

    Walks the RFC's recursion from the root down, taking the sibling of the half that holds `index`."""
    siblings: list[LeafRange] = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            siblings.append((mid, end))
            end = mid
        else:
            siblings.append((start, mid))
            start = mid
    return siblings[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[LeafRange]:
    """The leaf ranges whose hashes make up PROOF(old_size, D[0:new_size]), in proof order.

    Walks SUBPROOF(m, D[start:end], b) from the root down. `whole` is the RFC's b: true while the walk has
    entered only left halves, so the subtree it ends on is the whole old tree, whose hash the verifier
    already holds and the proof leaves out."""
    siblings: list[LeafRange] = []
    start, end, whole = 0, new_size, True
    while old_size < end:
        mid = start + _split(end - start)
        if old_size <= mid:
            siblings.append((mid, end))
            end = mid
        else:
            siblings.append((start, mid))
            start = mid
            whole = False
    if not whole:
        siblings.append((start, end))
    return siblings[::-1]


def _hash_ranges(reader: NodeReader, ranges: Sequence[LeafRange]) -> list[bytes]:
    """The RFC 9162 hash of each leaf range, from one batch read of the complete subtrees covering them."""
    covers = [_cover(start, end) for start, end in ranges]
    nodes = _read(reader, [key for cover in covers for key in cover])
    return [_fold([nodes[key] for key in cover]) for cover in covers]


def _cover(start: int, end: int) -> list[NodeKey]:
    """The complete subtrees covering leaves [start, end), left to right, largest first.

    Every range the RFC's recursions produce is an aligned block cut short by the tree size, so `start` is a
    multiple of each subtree's width and the binary decomposition of the range's length gives stored nodes."""
    keys: list[NodeKey] = []
    while start < end:
        level = (end - start).bit_length() - 1
        assert start % (1 << level) == 0, f"range [{start}, {end}) is not aligned"
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def _fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of adjacent complete subtrees, largest first. The RFC splits off the largest power of two on
    the left at every step, so the right edge nests to the right: H(a, H(b, c))."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _read(reader: NodeReader, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
    """One batch read; every key must be there, since a tree of the asked size has all those subtrees."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    nodes = reader.get_nodes(wanted)
    missing = [key for key in wanted if key not in nodes]
    if missing:
        raise MissingNodes(missing)
    return nodes


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2): where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _trailing_ones(n: int) -> int:
    return (~n & (n + 1)).bit_length() - 1


def _require_size(size: int) -> None:
    if size < 0:
        raise InvalidTreeRequest(f"a tree size cannot be negative (got {size})", size=size)


# Verification (RFC 9162 2.1.3.2 and 2.1.4.2), stricter in two places as the reference verifier is:
# a leaf hash must be 32 bytes, and a consistency proof from the empty tree is always refused.


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise InvalidProof unless `proof` shows the leaf with hash `leaf_hash` at `index` in the tree of
    `size` leaves whose root is `root`."""
    if not 0 <= index < size:
        raise InvalidProof(f"leaf index {index} is outside a tree of {size} leaves", index=index, size=size)
    _require_hash(leaf_hash, "the leaf hash", InvalidProof)
    _require_hashes(proof, "inclusion proof")
    if _root_from_inclusion(leaf_hash, index, size, proof) != root:
        raise InvalidProof("the inclusion proof does not lead to the root hash", index=index, size=size)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise InvalidProof unless `proof` shows the tree of `old_size` leaves with root `old_root` to be a
    prefix of the tree of `new_size` leaves with root `new_root`."""
    sizes = {"old_size": old_size, "new_size": new_size}
    if not 0 <= old_size <= new_size:
        raise InvalidProof(f"the old size {old_size} is not between 0 and the new size {new_size}", **sizes)
    if old_size == 0:
        raise InvalidProof("a consistency proof from the empty tree proves nothing", **sizes)
    if old_size == new_size:
        _verify_same_tree(old_root, new_root, proof, sizes)
        return
    if not proof:
        raise InvalidProof("the consistency proof is empty but the sizes differ", **sizes)
    _require_hash(old_root, "the old root hash", InvalidProof)
    _require_hash(new_root, "the new root hash", InvalidProof)
    _require_hashes(proof, "consistency proof")
    computed_old, computed_new = _roots_from_consistency(old_size, new_size, old_root, proof)
    if computed_old != old_root:
        raise InvalidProof("the consistency proof does not lead to the old root hash", **sizes)
    if computed_new != new_root:
        raise InvalidProof("the consistency proof does not lead to the new root hash", **sizes)


def _verify_same_tree(
    old_root: bytes, new_root: bytes, proof: Sequence[bytes], sizes: dict[str, int]
) -> None:
    if proof:
        raise InvalidProof("a consistency proof between equal sizes must be empty", **sizes)
    if old_root != new_root:
        raise InvalidProof("equal sizes with different root hashes", **sizes)


def _root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 2.1.3.2 steps 2-5: fn is the node's index, sn the last index at the node's level."""
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            raise InvalidProof(
                "the inclusion proof is longer than the path to the root", index=index, size=size
            )
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            # A rightmost node with no right sibling rises unchanged, so `sibling` joined it at a higher
            # level: catch fn and sn up to the level where the node became a right child.
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof("the inclusion proof is shorter than the path to the root", index=index, size=size)
    return result


def _roots_from_consistency(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """RFC 9162 2.1.4.2 steps 2-7: rebuild both roots from one path; fr is the old root, sr the new one."""
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # A power-of-two old tree is one complete subtree the prover left out, since the verifier has it.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            raise InvalidProof("the consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            # As in inclusion: skip the levels a rightmost node rose through unchanged.
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof("the consistency proof is shorter than the path to the root")
    return fr, sr


def _require_hash(value: bytes, what: str, error: type[InvalidProof] | type[InvalidTreeRequest]) -> None:
    if len(value) != HASH_SIZE:
        raise error(f"{what} must be {HASH_SIZE} bytes, not {len(value)}")


def _require_hashes(proof: Sequence[bytes], what: str) -> None:
    for position, element in enumerate(proof):
        _require_hash(element, f"element {position} of the {what}", InvalidProof)


# The reference


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) straight from the recursion of RFC 9162 2.1.1, over every leaf hash: the independent check
    of the stored tree, used by the tests and by `log verify`. O(n) hashes, recursion depth log2 n."""
    for position, hashed in enumerate(leaf_hashes):
        _require_hash(hashed, f"leaf hash {position}", InvalidTreeRequest)
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def _mth(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    if end - start == 1:
        return leaf_hashes[start]
    mid = start + _split(end - start)
    return node_hash(_mth(leaf_hashes, start, mid), _mth(leaf_hashes, mid, end))


class MemoryNodes:
    """A dict-backed node store: the reference `NodeReader`, for tests and for checking a log in memory.

    It enforces what a database table would by its primary key: a stored node never changes."""

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}
        self._size = 0

    @classmethod
    def from_leaf_hashes(cls, leaf_hashes: Iterable[bytes]) -> MemoryNodes:
        nodes = cls()
        for hashed in leaf_hashes:
            nodes.append(hashed)
        return nodes

    @property
    def size(self) -> int:
        """One past the highest leaf index stored: the tree size, when leaves arrive in order as `append`
        stores them."""
        return self._size

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def put(self, level: int, index: int, hashed: bytes) -> None:
        """Store one node; storing the same hash again is a no-op, a different one a NodeConflict."""
        stored = self._nodes.setdefault((level, index), hashed)
        if stored != hashed:
            raise NodeConflict(level, index)
        if level == 0:
            self._size = max(self._size, index + 1)

    def append(self, new_leaf_hash: bytes) -> int:
        """Append a leaf by its hash; returns its index."""
        index = self._size
        for level, node_index, hashed in nodes_completed_by_append(self, index, new_leaf_hash):
            self.put(level, node_index, hashed)
        return index
