"""The log's keys over time: which Ed25519 key signed which range of tree sizes.

A log rotates its key by appending a `signing_key.rotated` leaf whose checkpoint both keys sign; from that
size on only the new key signs. A verifier holding the keyring (`GET /v1/log/key` as JSON) accepts a
checkpoint only under a key whose range covers the checkpoint's size, so a retired key, even one that
leaked, cannot vouch for a tree it never signed. A verifier holding bare verifier keys (one per line, the
form the log published before it rotated) accepts a signature by any of them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archive.ledger.errors import InvalidCheckpoint, InvalidKey, InvalidNote
from archive.ledger.notes import (
    SIGNATURE_PREFIX,
    Checkpoint,
    Signer,
    Verifier,
    note_signatures,
    open_note,
    parse_checkpoint,
)


@dataclass(frozen=True)
class KeyRange:
    """A verifier key and the tree sizes it signs: `first_size` up to `last_size` (None: still signing)."""

    verifier: Verifier
    first_size: int = 0
    last_size: int | None = None

    def covers(self, size: int) -> bool:
        return self.first_size <= size and (self.last_size is None or size <= self.last_size)


class Keyring:
    """Every key of one log (they share its origin as their name), with the range each signed."""

    def __init__(self, ranges: Sequence[KeyRange]) -> None:
        if not ranges:
            raise InvalidKey("a keyring holds at least one key")
        names = {key.verifier.name for key in ranges}
        if len(names) != 1:
            raise InvalidKey(f"the keys of one log share its name, not {sorted(names)}")
        self.ranges = tuple(ranges)
        self.name = names.pop()

    @property
    def verifiers(self) -> list[Verifier]:
        return [key.verifier for key in self.ranges]

    def open_checkpoint(self, note: str | bytes, origin: str) -> Checkpoint:
        """The checkpoint in a signed note, once every signature by a key of the ring verifies and one of
        them is by a key whose range covers the checkpoint's size."""
        checkpoint = parse_checkpoint(open_note(note, self.verifiers))
        if checkpoint.origin != origin:
            raise InvalidCheckpoint(
                f"the checkpoint is for {checkpoint.origin!r}, not {origin!r}", origin=checkpoint.origin
            )
        if not self.signed_by(note, checkpoint.size):
            raise InvalidNote(
                f"no key that signs trees of {checkpoint.size} leaves signed this checkpoint "
                "(a retired key signed it for a size outside its range)",
                size=checkpoint.size,
            )
        return checkpoint

    def signed_by(self, note: str | bytes, size: int) -> list[Verifier]:
        """The keys of the ring that signed `note` (already opened) and sign trees of `size` leaves."""
        _, lines = note_signatures(note)
        signed = {(name, key_id) for name, key_id, _, _ in lines}
        return [
            key.verifier
            for key in self.ranges
            if (key.verifier.name, key.verifier.key_id) in signed and key.covers(size)
        ]


def cosign_note(note: str, signer: Signer) -> str:
    """`note` with one more signature line, by `signer`, over the same text (a note signed by two keys)."""
    text, _ = note_signatures(note)
    encoded = base64.b64encode(signer.key_id + signer.sign(text.encode())).decode("ascii")
    return f"{note}{SIGNATURE_PREFIX}{signer.name} {encoded}\n"


def load_keyring(text: str) -> Keyring:
    """A keyring from what `GET /v1/log/key` serves: its JSON (ranges kept) or verifier keys, one a line
    (each trusted for every size)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return _keyring_from_json(stripped)
    return Keyring([KeyRange(Verifier.from_vkey(line.strip())) for line in _lines(stripped)])


def _lines(text: str) -> Iterable[str]:
    return (line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _keyring_from_json(text: str) -> Keyring:
    try:
        document = json.loads(text)
        keys = document["keys"]
        return Keyring(
            [
                KeyRange(
                    Verifier.from_vkey(str(key["vkey"])),
                    _size(key["first_size"]),
                    None if key.get("last_size") is None else _size(key["last_size"]),
                )
                for key in keys
            ]
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidKey(f"not a key listing of the log: {error}") from error


def _size(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidKey(f"a tree size is a non-negative integer, not {value!r}")
    return value
