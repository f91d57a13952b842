"""Checking a receipt offline: the checkpoint's signature, the leaf's inclusion, and (given the file) that
the bytes are the ones the leaf names. Needs nothing but the receipt and the log's verifier key."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from archive.digests import Digests
from archive.ledger.entries import parse_entry
from archive.ledger.errors import InvalidEntry, InvalidProof
from archive.ledger.merkle import leaf_hash, verify_inclusion
from archive.ledger.notes import Checkpoint, Verifier, open_checkpoint


@dataclass(frozen=True)
class ReceiptCheck:
    checkpoint: Checkpoint
    index: int
    event: dict[str, Any]


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidProof(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidProof(f"{what} is not valid base64") from None


def check_receipt(receipt: dict[str, Any], verifier: Verifier) -> ReceiptCheck:
    """Raise unless the receipt's checkpoint is signed by `verifier` and its leaf is in that tree."""
    checkpoint = open_checkpoint(str(receipt.get("checkpoint", "")), [verifier], origin=verifier.name)
    entry = receipt.get("entry")
    inclusion = receipt.get("inclusion")
    if not isinstance(entry, str) or not isinstance(inclusion, dict):
        raise InvalidEntry("a receipt has an `entry` string and an `inclusion` object")
    index = receipt.get("index")
    if not isinstance(index, int) or inclusion.get("index") != index:
        raise InvalidProof("the receipt's index and its inclusion proof's index differ")
    if inclusion.get("tree_size") != checkpoint.size:
        raise InvalidProof(
            f"the inclusion proof is for a tree of {inclusion.get('tree_size')}, "
            f"the checkpoint for {checkpoint.size}"
        )
    hashes = inclusion.get("hashes")
    if not isinstance(hashes, list):
        raise InvalidProof("the inclusion proof has no list of hashes")
    proof = [_b64(h, "a proof hash") for h in hashes]
    entry_bytes = entry.encode("utf-8")
    verify_inclusion(leaf_hash(entry_bytes), index, checkpoint.size, proof, checkpoint.root_hash)
    return ReceiptCheck(checkpoint=checkpoint, index=index, event=parse_entry(entry_bytes))


def check_file(event: dict[str, Any], digests: Digests) -> None:
    """Raise unless the file's digests are the ones the leaf records."""
    expected = (event.get("blake3"), event.get("sha256"), event.get("size"))
    found = (digests.blake3, digests.sha256, digests.size)
    if expected != found:
        raise InvalidEntry(
            f"the file's BLAKE3 {digests.blake3}, SHA-256 {digests.sha256} and size {digests.size} "
            f"are not the archived ones ({expected[0]}, {expected[1]}, {expected[2]})"
        )
