"""Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 `cosignature/v1`) and the body of a C2SP
tlog-witness `add-checkpoint` request.

A cosignature is a signed-note signature line by the witness's key over

    cosignature/v1\\n
    time <POSIX seconds>\\n
    <the checkpoint's body, final newline included>

whose signature bytes are the 8-byte big-endian timestamp and the 64-byte Ed25519 signature. A witness's
verifier key is `<name>+<hex key ID>+<base64(0x04 || 32-byte public key)>`, its key ID
SHA-256(name || 0x0A || 0x04 || public key)[:4], so it never collides with the log's own (0x01) key ID.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from archive.ledger.errors import InvalidKey, InvalidNote
from archive.ledger.notes import SIGNATURE_PREFIX, is_valid_key_name, note_signatures

COSIGNATURE_V1 = 0x04
_KEY_ID_SIZE = 4
_TIMESTAMP_SIZE = 8
_SIGNATURE_SIZE = 64
MAX_TIMESTAMP = (1 << 63) - 1
# The spec caps an add-checkpoint request at 63 proof lines: the longest consistency proof of a 2^63 tree.
MAX_PROOF_LINES = 63


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What an Ed25519 cosigner signs for the checkpoint `body` at `timestamp`."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Cosignature:
    """A cosignature that verified: whose, the time it states, and its signature line (newline-less)."""

    witness: CosignerKey
    timestamp: int
    line: str


class CosignerKey:
    """A witness's Ed25519 cosigning key, under its name."""

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_key_name(name):
            raise InvalidKey(f"invalid witness key name {name!r}")
        if len(public_key) != 32:
            raise InvalidKey(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as error:
            raise InvalidKey("not an Ed25519 public key") from error
        self.name = name
        self.public_key = public_key
        self.key_id = cosignature_key_id(name, public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignerKey:
        """Parse `<name>+<hex key ID>+<base64(0x04 || public key)>`; the key ID must match."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise InvalidKey("a witness key reads <name>+<key ID>+<key>")
        name, id_hex, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise InvalidKey("the witness key's last part is not base64") from None
        if len(raw) != 33 or raw[0] != COSIGNATURE_V1:
            raise InvalidKey(
                "a witness key's last part is the base64 of 0x04 and a 32-byte Ed25519 key "
                "(a cosignature/v1 key)"
            )
        key = cls(name, raw[1:])
        if id_hex.lower() != key.key_id.hex() or len(id_hex) != 8:
            raise InvalidKey(f"key ID {id_hex} does not belong to witness {name} and this key")
        return key

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([COSIGNATURE_V1]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def ident(self) -> str:
        """`<name>+<hex key ID>`: what tells this witness's lines and rows apart."""
        return f"{self.name}+{self.key_id.hex()}"

    def verify(self, body: str, raw_signature: bytes) -> int:
        """The timestamp of a cosignature (key ID stripped) over `body`; InvalidNote when it is not one."""
        if len(raw_signature) != _TIMESTAMP_SIZE + _SIGNATURE_SIZE:
            raise InvalidNote(f"a cosignature by {self.name} has the wrong length", key=self.name)
        (timestamp,) = struct.unpack(">Q", raw_signature[:_TIMESTAMP_SIZE])
        if not 0 < timestamp <= MAX_TIMESTAMP:
            raise InvalidNote(f"the cosignature by {self.name} carries no valid timestamp", key=self.name)
        try:
            self._key.verify(raw_signature[_TIMESTAMP_SIZE:], cosigned_message(body, timestamp))
        except InvalidSignature:
            raise InvalidNote(f"the cosignature by {self.name} does not verify", key=self.name) from None
        return int(timestamp)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CosignerKey) and other.vkey == self.vkey

    def __hash__(self) -> int:
        return hash(self.vkey)

    def __repr__(self) -> str:
        return f"CosignerKey({self.vkey!r})"


def cosignatures(note: str, witnesses: Iterable[CosignerKey]) -> list[Cosignature]:
    """The cosignatures in `note` by any of `witnesses`, each verified over the note's body.

    Lines by other keys are ignored (the log's own, unknown witnesses); a line that bears a known witness's
    name and key ID but does not verify refuses the note, as signed-note requires."""
    body, lines = note_signatures(note)
    known = {(w.name, w.key_id): w for w in witnesses}
    found: dict[CosignerKey, Cosignature] = {}
    for name, key_id, signature, line in lines:
        witness = known.get((name, key_id))
        if witness is not None:
            found.setdefault(witness, Cosignature(witness, witness.verify(body, signature), line))
    return list(found.values())


def witness_answer_lines(answer: str, body: str, witness: CosignerKey) -> list[Cosignature]:
    """The cosignatures by `witness` in an add-checkpoint answer (signature lines only)."""
    if not answer.endswith("\n") or not all(
        line.startswith(SIGNATURE_PREFIX) for line in answer.splitlines()
    ):
        raise InvalidNote("a witness answers with signature lines, each ending in a newline")
    return cosignatures(f"{body}\n{answer}", [witness])


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """An `add-checkpoint` request: the old size line, the consistency proof, a blank line, the note."""
    if len(proof) > MAX_PROOF_LINES:
        raise InvalidNote(f"a consistency proof of {len(proof)} hashes is longer than any of a real tree")
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return ("".join(f"{line}\n" for line in lines) + "\n" + note).encode()


def with_cosignatures(note: str, lines: Iterable[str]) -> str:
    """The signed note with cosignature lines appended (each once), as a witness's client assembles it."""
    present = set(note.splitlines())
    extra = [line for line in dict.fromkeys(lines) if line not in present]
    return note + "".join(f"{line}\n" for line in extra)
