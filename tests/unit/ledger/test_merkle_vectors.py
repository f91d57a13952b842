"""The public RFC 6962 conformance vectors of transparency-dev/merkle (see shared/vectors/rfc6962-merkle)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from archive.ledger import (
    InvalidProof,
    MemoryNodes,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaves,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.conftest import shared_path

VECTORS = shared_path("vectors", "rfc6962-merkle")
EXPECTED_CASES = 98  # per kind, as the vectors' README lists


def cases(kind: str) -> list[Path]:
    """Every case file of a kind; a placeholder that cannot be opened when there are none, so that a missing
    vector folder fails the run instead of quietly parametrizing nothing."""
    found = sorted((VECTORS / kind).glob("**/*.json"))
    return found or [VECTORS / kind / "NO-VECTORS-FOUND.json"]


def case_id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def proof_of(case: dict[str, Any]) -> list[bytes]:
    return [b64(element) for element in case["proof"] or []]


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_every_vector_file_is_found(kind: str) -> None:
    found = [path for path in cases(kind) if path.exists()]
    assert len(found) == EXPECTED_CASES, f"{len(found)} {kind} vectors under {VECTORS}"


@pytest.mark.parametrize("path", cases("inclusion"), ids=case_id)
def test_inclusion_vector(path: Path) -> None:
    case = load(path)

    def verify() -> None:
        verify_inclusion(
            b64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof_of(case), b64(case["root"])
        )

    if case["wantErr"]:
        with pytest.raises(InvalidProof):
            verify()
    else:
        verify()


@pytest.mark.parametrize("path", cases("consistency"), ids=case_id)
def test_consistency_vector(path: Path) -> None:
    case = load(path)

    def verify() -> None:
        verify_consistency(
            case["size1"], case["size2"], b64(case["root1"]), b64(case["root2"]), proof_of(case)
        )

    if case["wantErr"]:
        with pytest.raises(InvalidProof):
            verify()
    else:
        verify()


def test_roots_vector_and_the_proofs_over_its_leaves() -> None:
    roots = load(VECTORS / "roots.json")
    leaves = [leaf_hash(bytes.fromhex(data)) for data in roots["leaf_inputs_hex"]]
    expected = [bytes.fromhex(root) for root in roots["root_hashes_hex_by_tree_size"]]
    assert len(leaves) == 8
    assert len(expected) == 9
    nodes = MemoryNodes()
    for size, root in enumerate(expected):
        assert root_hash(nodes, size) == root, f"size {size}"
        assert root_from_leaves(leaves[:size]) == root, f"size {size}"
        for index in range(size):
            verify_inclusion(leaves[index], index, size, inclusion_proof(nodes, index, size), root)
        for old_size in range(1, size + 1):
            proof = consistency_proof(nodes, old_size, size)
            verify_consistency(old_size, size, expected[old_size], root, proof)
        if size < len(leaves):
            nodes.append(leaves[size])


def test_the_happy_path_vectors_are_the_proofs_this_tree_produces() -> None:
    """The vectors' valid proofs come from the same 8-leaf tree as roots.json: producing them, not only
    verifying them, shows the prover matches the reference prover element for element."""
    roots = load(VECTORS / "roots.json")
    leaves = [leaf_hash(bytes.fromhex(data)) for data in roots["leaf_inputs_hex"]]
    nodes = MemoryNodes.from_leaf_hashes(leaves)
    checked = 0
    for path in cases("inclusion"):
        case = load(path)
        if path.name == "happy-path.json":
            index, size = case["leafIdx"], case["treeSize"]
            assert b64(case["leafHash"]) == leaves[index]
            assert b64(case["root"]) == root_hash(nodes, size)
            assert inclusion_proof(nodes, index, size) == proof_of(case)
            checked += 1
    for path in cases("consistency"):
        case = load(path)
        if path.name == "happy-path.json":
            old_size, new_size = case["size1"], case["size2"]
            assert (b64(case["root1"]), b64(case["root2"])) == (
                root_hash(nodes, old_size),
                root_hash(nodes, new_size),
            )
            assert consistency_proof(nodes, old_size, new_size) == proof_of(case)
            checked += 1
    assert checked == 10
