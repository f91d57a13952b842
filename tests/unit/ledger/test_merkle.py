"""The stored-subtree Merkle tree against RFC 9162's recursive definitions, its read costs, its refusals."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from functools import cache

import pytest

from archive.ledger import (
    EMPTY_ROOT,
    InvalidProof,
    InvalidTreeRequest,
    MemoryNodes,
    MissingNodes,
    NodeConflict,
    NodeKey,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    nodes_completed_by_append,
    root_from_leaves,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

EXHAUSTIVE = 70
LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(EXHAUSTIVE)]


# RFC 9162 section 2.1, transcribed literally: lists and slices, no shortcuts.


def ref_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = ref_split(n)
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = ref_split(n)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [ref_mth(leaves)]
    k = ref_split(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], b), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True)


class BoundedReader:
    """Serves a store but records each batch, and fails on any key outside a tree of `size` leaves: a tree's
    hashes may only depend on its own leaves, and only complete subtrees are ever stored."""

    def __init__(self, inner: MemoryNodes, size: int) -> None:
        self.inner = inner
        self.size = size
        self.batches: list[list[NodeKey]] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.batches.append(list(keys))
        for level, index in keys:
            assert (index + 1) << level <= self.size, (
                f"({level}, {index}) is not complete at size {self.size}"
            )
        return self.inner.get_nodes(keys)

    @property
    def keys_read(self) -> int:
        return sum(len(batch) for batch in self.batches)


class UniformTree:
    """A lazily read tree of `size` equal leaves: node (level, i) is the same hash for every i, so any size up
    to 2^62 is a genuine RFC 9162 tree that costs nothing to build."""

    LEAF = leaf_hash(b"uniform")

    def __init__(self, size: int) -> None:
        self.size = size
        self.levels = [self.LEAF]
        for _ in range(62):
            self.levels.append(node_hash(self.levels[-1], self.levels[-1]))
        self.batches: list[list[NodeKey]] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        self.batches.append(list(keys))
        assert len(set(keys)) == len(keys), "a batch repeats a key"
        for level, index in keys:
            assert (index + 1) << level <= self.size, (
                f"({level}, {index}) is not complete at size {self.size}"
            )
        return {(level, index): self.levels[level] for level, index in keys}


@cache
def store() -> MemoryNodes:
    return MemoryNodes.from_leaf_hashes(LEAVES)


def flipped(value: bytes, position: int = 0) -> bytes:
    return value[:position] + bytes([value[position] ^ 0x01]) + value[position + 1 :]


# Equality with the RFC, every size and every index


@pytest.mark.parametrize("size", range(EXHAUSTIVE + 1))
def test_root_equals_the_rfc_definition(size: int) -> None:
    reader = BoundedReader(store(), size)
    expected = ref_mth(LEAVES[:size])
    assert root_hash(reader, size) == expected
    assert root_from_leaves(LEAVES[:size]) == expected
    assert reader.keys_read == bin(size).count("1")  # one complete subtree per 1 bit of the size


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_hash(MemoryNodes(), 0) == EMPTY_ROOT
    assert root_from_leaves([]) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, EXHAUSTIVE + 1))
def test_inclusion_proofs_equal_the_rfc_path_and_verify(size: int) -> None:
    root = ref_mth(LEAVES[:size])
    for index in range(size):
        reader = BoundedReader(store(), size)
        proof = inclusion_proof(reader, index, size)
        assert proof == ref_path(index, LEAVES[:size]), f"index {index}"
        assert len(reader.batches) <= 1
        verify_inclusion(LEAVES[index], index, size, proof, root)


@pytest.mark.parametrize("new_size", range(1, EXHAUSTIVE + 1))
def test_consistency_proofs_equal_the_rfc_proof_and_verify(new_size: int) -> None:
    new_root = ref_mth(LEAVES[:new_size])
    for old_size in range(1, new_size + 1):
        reader = BoundedReader(store(), new_size)
        proof = consistency_proof(reader, old_size, new_size)
        assert proof == ref_proof(old_size, LEAVES[:new_size]), f"old size {old_size}"
        assert len(reader.batches) <= 1
        verify_consistency(old_size, new_size, ref_mth(LEAVES[:old_size]), new_root, proof)


def test_a_mid_sized_tree_of_distinct_leaves_agrees_with_the_reference() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(3000)]
    nodes = MemoryNodes.from_leaf_hashes(leaves)
    rng = random.Random(9162)
    for size in [*rng.sample(range(1, 3001), 12), 2048, 2047, 2049, 3000]:
        root = root_from_leaves(leaves[:size])
        assert root_hash(nodes, size) == root
        index = rng.randrange(size)
        verify_inclusion(leaves[index], index, size, inclusion_proof(nodes, index, size), root)
        old_size = rng.randrange(1, size + 1)
        old_root = root_from_leaves(leaves[:old_size])
        verify_consistency(old_size, size, old_root, root, consistency_proof(nodes, old_size, size))


# Appending


@pytest.mark.parametrize("size", range(EXHAUSTIVE))
def test_append_returns_the_leaf_and_every_subtree_it_completes(size: int) -> None:
    reader = BoundedReader(store(), size)
    rows = nodes_completed_by_append(reader, size, LEAVES[size])
    expected = [(0, size, LEAVES[size])]
    level = 1
    while (size + 1) % (1 << level) == 0:
        index = size >> level
        expected.append((level, index, ref_mth(LEAVES[index << level : (index + 1) << level])))
        level += 1
    assert rows == expected
    # It reads exactly the left sibling at each completed level, in one batch (none when it completes none).
    assert reader.keys_read == len(expected) - 1
    assert len(reader.batches) == (1 if len(expected) > 1 else 0)


@pytest.mark.parametrize("size", [0, 1, 5, 16, 63, 64, 70])
def test_a_store_holds_exactly_the_complete_subtrees(size: int) -> None:
    nodes = MemoryNodes.from_leaf_hashes(LEAVES[:size])
    expected = {
        (level, index): ref_mth(LEAVES[index << level : (index + 1) << level])
        for level in range(8)
        for index in range(size >> level)
    }
    assert nodes.get_nodes(list(expected)) == expected
    assert len(expected) == 2 * size - bin(size).count("1")
    assert nodes.size == size
    # The right-edge (incomplete) subtrees are never stored: they would change with the next append.
    assert nodes.get_nodes([(0, size), (1, size >> 1), (7, 0)]) == {}


def test_append_returns_consecutive_indices() -> None:
    nodes = MemoryNodes()
    assert [nodes.append(leaf) for leaf in LEAVES[:5]] == [0, 1, 2, 3, 4]
    assert nodes.size == 5


def test_storing_a_node_again_is_idempotent_but_changing_it_is_a_conflict() -> None:
    nodes = MemoryNodes.from_leaf_hashes(LEAVES[:4])
    nodes.put(1, 0, node_hash(LEAVES[0], LEAVES[1]))
    with pytest.raises(NodeConflict) as raised:
        nodes.put(1, 0, LEAVES[0])
    assert raised.value.fields == {"level": 1, "index": 0}
    assert nodes.get_nodes([(1, 0)]) == {(1, 0): node_hash(LEAVES[0], LEAVES[1])}


# O(log n): a single batch of at most 2·⌈log2 n⌉ + 2 keys, up to 2^20 leaves


def _ceil_log2(n: int) -> int:
    return (n - 1).bit_length()


def _large_sizes() -> list[int]:
    rng = random.Random(20)
    sizes = [1, 2, 3, 5, 7, 8, 9]
    for exponent in (10, 16, 19, 20):
        sizes += [(1 << exponent) - 1, 1 << exponent, (1 << exponent) + 1]
    return sizes + rng.sample(range(2, 1 << 20), 20)


@pytest.mark.parametrize("size", _large_sizes())
def test_proofs_read_one_batch_of_logarithmically_many_nodes(size: int) -> None:
    bound = 2 * _ceil_log2(size) + 2
    rng = random.Random(size)
    tree = UniformTree(size)
    root = root_hash(tree, size)
    assert len(tree.batches) == 1
    assert len(tree.batches[0]) == bin(size).count("1")

    for index in {0, size // 2, size - 1, rng.randrange(size)}:
        tree.batches.clear()
        proof = inclusion_proof(tree, index, size)
        assert len(tree.batches) <= 1
        assert sum(map(len, tree.batches)) <= bound, f"index {index}"
        verify_inclusion(UniformTree.LEAF, index, size, proof, root)

    for old_size in {1, size // 2 or 1, size - 1 or 1, 1 << (_ceil_log2(size) - 1) if size > 1 else 1, size}:
        tree.batches.clear()
        proof = consistency_proof(tree, old_size, size)
        assert len(tree.batches) <= 1
        assert sum(map(len, tree.batches)) <= bound, f"old size {old_size}"
        verify_consistency(old_size, size, root_hash(tree, old_size), root, proof)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 1023, (1 << 20) - 1, 1 << 20, (1 << 20) + 7])
def test_append_reads_only_the_left_siblings(size: int) -> None:
    tree = UniformTree(size)
    rows = nodes_completed_by_append(tree, size, UniformTree.LEAF)
    trailing_ones = len(bin(size)) - len(bin(size).rstrip("1"))
    assert sum(map(len, tree.batches)) == trailing_ones <= _ceil_log2(size + 1)
    assert [(level, index) for level, index, _ in rows] == [
        (level, size >> level) for level in range(trailing_ones + 1)
    ]
    assert [hashed for _, _, hashed in rows] == tree.levels[: trailing_ones + 1]


# Refusals: impossible requests, missing nodes, and every kind of tampering


@pytest.mark.parametrize(("index", "size"), [(0, 0), (5, 5), (6, 5), (-1, 5)])
def test_an_inclusion_proof_for_a_leaf_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(InvalidTreeRequest, match="outside a tree"):
        inclusion_proof(store(), index, size)


@pytest.mark.parametrize(("old_size", "new_size"), [(0, 5), (0, 0), (6, 5), (-1, 5)])
def test_an_impossible_consistency_proof_is_refused(old_size: int, new_size: int) -> None:
    with pytest.raises(InvalidTreeRequest, match="consistency proof"):
        consistency_proof(store(), old_size, new_size)


def test_negative_sizes_and_short_leaf_hashes_are_refused() -> None:
    with pytest.raises(InvalidTreeRequest, match="negative"):
        root_hash(store(), -1)
    with pytest.raises(InvalidTreeRequest, match="32 bytes"):
        nodes_completed_by_append(MemoryNodes(), 0, b"\x00" * 31)
    with pytest.raises(InvalidTreeRequest, match="32 bytes"):
        root_from_leaves([LEAVES[0], b"short"])


def test_a_size_beyond_the_store_names_the_missing_nodes() -> None:
    nodes = MemoryNodes.from_leaf_hashes(LEAVES[:5])
    with pytest.raises(MissingNodes) as raised:
        root_hash(nodes, 7)
    assert raised.value.fields["keys"] == [[1, 2], [0, 6]]  # leaves 4-5 and 6; (2, 0) is there
    with pytest.raises(MissingNodes):
        inclusion_proof(nodes, 0, 8)


def test_consistency_with_a_forked_history_fails() -> None:
    forked = [*LEAVES[:3], leaf_hash(b"rewritten"), *LEAVES[4:20]]
    forked_nodes = MemoryNodes.from_leaf_hashes(forked)
    proof = consistency_proof(forked_nodes, 10, 20)
    verify_consistency(10, 20, root_from_leaves(forked[:10]), root_from_leaves(forked), proof)
    with pytest.raises(InvalidProof, match="old root"):
        verify_consistency(10, 20, ref_mth(LEAVES[:10]), root_from_leaves(forked), proof)


@pytest.mark.parametrize("size", range(1, 25))
def test_tampered_inclusion_proofs_fail(size: int) -> None:
    root = ref_mth(LEAVES[:size])
    for index in range(size):
        proof = ref_path(index, LEAVES[:size])
        for position in range(len(proof)):
            for byte in (0, 31):
                tampered = [*proof[:position], flipped(proof[position], byte), *proof[position + 1 :]]
                with pytest.raises(InvalidProof):
                    verify_inclusion(LEAVES[index], index, size, tampered, root)
        with pytest.raises(InvalidProof):
            verify_inclusion(flipped(LEAVES[index]), index, size, proof, root)
        with pytest.raises(InvalidProof):
            verify_inclusion(LEAVES[index], index, size, proof, flipped(root, 31))
        with pytest.raises(InvalidProof):
            verify_inclusion(LEAVES[index], index, size, [*proof, proof[0] if proof else root], root)
        if proof:
            with pytest.raises(InvalidProof):
                verify_inclusion(LEAVES[index], index, size, proof[:-1], root)
        for other in range(size):
            if other != index:
                with pytest.raises(InvalidProof):
                    verify_inclusion(LEAVES[index], other, size, proof, root)
                with pytest.raises(InvalidProof):
                    verify_inclusion(LEAVES[other], index, size, proof, root)


@pytest.mark.parametrize(
    ("index", "size", "claimed_size", "reason"),
    [
        (3, 4, 8, "shorter than the path"),  # the proof stops one level below the claimed root
        (0, 8, 2, "longer than the path"),  # the proof climbs past the claimed root
        (5, 6, 5, "outside a tree"),
        (5, 6, 12, "shorter than the path"),
        (2, 3, 1, "outside a tree"),
    ],
)
def test_an_inclusion_proof_for_another_tree_size_fails(
    index: int, size: int, claimed_size: int, reason: str
) -> None:
    proof = ref_path(index, LEAVES[:size])
    with pytest.raises(InvalidProof, match=reason):
        verify_inclusion(LEAVES[index], index, claimed_size, proof, ref_mth(LEAVES[:size]))


def test_inclusion_refuses_hashes_of_the_wrong_length() -> None:
    proof = ref_path(1, LEAVES[:4])
    root = ref_mth(LEAVES[:4])
    with pytest.raises(InvalidProof, match="leaf hash must be 32 bytes"):
        verify_inclusion(LEAVES[1][:31], 1, 4, proof, root)
    with pytest.raises(InvalidProof, match="element 1 of the inclusion proof"):
        verify_inclusion(LEAVES[1], 1, 4, [proof[0], proof[1] + b"\x00"], root)


@pytest.mark.parametrize("new_size", range(2, 25))
def test_tampered_consistency_proofs_fail(new_size: int) -> None:
    new_root = ref_mth(LEAVES[:new_size])
    for old_size in range(1, new_size):
        old_root = ref_mth(LEAVES[:old_size])
        proof = ref_proof(old_size, LEAVES[:new_size])
        for position in range(len(proof)):
            tampered = [*proof[:position], flipped(proof[position], 7), *proof[position + 1 :]]
            with pytest.raises(InvalidProof):
                verify_consistency(old_size, new_size, old_root, new_root, tampered)
        with pytest.raises(InvalidProof):
            verify_consistency(old_size, new_size, new_root, old_root, proof)
        with pytest.raises(InvalidProof):
            verify_consistency(old_size, new_size, flipped(old_root), new_root, proof)
        with pytest.raises(InvalidProof):
            verify_consistency(old_size, new_size, old_root, flipped(new_root), proof)
        with pytest.raises(InvalidProof):
            verify_consistency(old_size, new_size, old_root, new_root, proof[:-1])
        with pytest.raises(InvalidProof):
            verify_consistency(old_size, new_size, old_root, new_root, [*proof, proof[0]])
        with pytest.raises(InvalidProof):
            verify_consistency(new_size, old_size, new_root, old_root, proof)
        for other in range(1, new_size):
            if other != old_size:
                with pytest.raises(InvalidProof):
                    verify_consistency(other, new_size, old_root, new_root, proof)


def test_consistency_edge_cases() -> None:
    root = ref_mth(LEAVES[:5])
    verify_consistency(5, 5, root, root, [])
    with pytest.raises(InvalidProof, match="must be empty"):
        verify_consistency(5, 5, root, root, [root])
    with pytest.raises(InvalidProof, match="different root"):
        verify_consistency(5, 5, root, flipped(root), [])
    with pytest.raises(InvalidProof, match="empty tree"):
        verify_consistency(0, 5, EMPTY_ROOT, root, [])
    with pytest.raises(InvalidProof, match="empty tree"):
        verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(InvalidProof, match="proof is empty"):
        verify_consistency(4, 5, ref_mth(LEAVES[:4]), root, [])
