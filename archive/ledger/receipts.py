"""Checking a receipt offline: the checkpoint's signature, the leaf's inclusion, the witnesses' cosignatures
and the time-stamp on the checkpoint, and (given the file) that the bytes are the ones the leaf names. Needs
nothing but the receipt, the log's verifier key, the witnesses' keys and the authority's certificates."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from archive.digests import Digests
from archive.ledger.cosignatures import Cosignature, CosignerKey, cosignatures
from archive.ledger.entries import parse_entry
from archive.ledger.errors import InvalidEntry, InvalidProof, InvalidTimestamp
from archive.ledger.keyring import Keyring
from archive.ledger.merkle import leaf_hash, verify_inclusion
from archive.ledger.notes import Checkpoint, Verifier, note_signatures, open_checkpoint
from archive.ledger.timestamps import Stamp, checkpoint_imprint, token_imprint, verify_token


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


def check_receipt(receipt: dict[str, Any], verifier: Verifier | Keyring) -> ReceiptCheck:
    """Raise unless the receipt's checkpoint is signed by `verifier` (or, given the log's keyring, by a key
    that signs trees of its size) and its leaf is in that tree."""
    note = str(receipt.get("checkpoint", ""))
    if isinstance(verifier, Keyring):
        checkpoint = verifier.open_checkpoint(note, origin=verifier.name)
    else:
        checkpoint = open_checkpoint(note, [verifier], origin=verifier.name)
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


def check_cosignatures(
    receipt: dict[str, Any], witnesses: Sequence[CosignerKey], quorum: int
) -> list[Cosignature]:
    """The receipt's checkpoint's cosignatures by `witnesses`; raise unless at least `quorum` verify (and
    none that names one of them fails to)."""
    if quorum > len(witnesses):
        raise InvalidProof(f"a quorum of {quorum} cannot be met by {len(witnesses)} witness key(s)")
    found = cosignatures(str(receipt.get("checkpoint", "")), witnesses)
    if len(found) < quorum:
        missing = sorted({w.name for w in witnesses} - {c.witness.name for c in found})
        raise InvalidProof(
            f"{len(found)} of the witnesses cosigned the checkpoint, {quorum} needed "
            f"(missing: {', '.join(missing)})"
        )
    return found


def _checkpoint_body(receipt: dict[str, Any]) -> str:
    body, _ = note_signatures(str(receipt.get("checkpoint", "")))
    return body


def check_timestamp(receipt: dict[str, Any], roots: list[x509.Certificate]) -> Stamp:
    """Raise unless the receipt's time-stamp is over its checkpoint's body and chains to `roots`."""
    return verify_token(_b64(receipt.get("timestamp"), "the time-stamp"), _checkpoint_body(receipt), roots)


def check_timestamp_imprint(receipt: dict[str, Any]) -> datetime:
    """The time the receipt's time-stamp states, once its imprint is the checkpoint's body's SHA-256 (the
    authority's signature is not checked without its certificates)."""
    imprint, at = token_imprint(_b64(receipt.get("timestamp"), "the time-stamp"))
    if imprint != checkpoint_imprint(_checkpoint_body(receipt)):
        raise InvalidTimestamp("the time-stamp is over another text than the receipt's checkpoint")
    return at
