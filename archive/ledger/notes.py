"""Ed25519 signed notes (c2sp.org/signed-note) and transparency log checkpoints (c2sp.org/tlog-checkpoint).

A signed note is a text ending in a newline, a blank line, then one line per signature:

    <text>\\n
    \\n
    — <key name> <base64(4-byte key ID || Ed25519 signature of the text)>\\n

Keys travel as strings in the format of golang.org/x/mod/sumdb/note, the reference implementation:
a verifier key is `<name>+<8 hex digit key ID>+<base64(0x01 || 32-byte public key)>`, a signer key is
`PRIVATE+KEY+<name>+<8 hex digit key ID>+<base64(0x01 || 32-byte seed)>`. The key ID is the first four bytes
of SHA-256(name || 0x0A || 0x01 || public key), so a key string cannot pair a name with another's key.

A checkpoint is the text of a note: origin, tree size and root hash on three lines, then optional
extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archive.ledger.errors import InvalidCheckpoint, InvalidKey, InvalidNote
from archive.ledger.merkle import HASH_SIZE

MAX_NOTE_BYTES = 1 << 20
# The spec asks verifiers to bound the signatures they check but to accept at least 16; the reference
# implementation stops at 100.
MAX_SIGNATURES = 100
# No log holds more than 2^63 - 1 leaves, and a tree size beyond it would not fit a database BIGINT.
MAX_TREE_SIZE = (1 << 63) - 1

ED25519 = 0x01
KEY_ID_SIZE = 4
SEED_SIZE = 32
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"

_FORBIDDEN_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # every ASCII control character but newline
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")
_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")


# Keys


def key_id(name: str, public_key: bytes) -> bytes:
    """The Ed25519 key ID of signed-note: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:KEY_ID_SIZE]


def is_valid_key_name(name: str) -> bool:
    """Non-empty, with no Unicode space and no plus (the key string separator). Control characters are refused
    too: a note cannot carry them, so a key so named could never sign one."""
    return (
        name != ""
        and "+" not in name
        and not any(char.isspace() for char in name)
        and _FORBIDDEN_CONTROL.search(name) is None
    )


class Verifier:
    """One Ed25519 public key, under its name."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _require_key_name(name)
        if len(public_key) != 32:
            raise InvalidKey(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, public_key)
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as error:
            raise InvalidKey("not an Ed25519 public key") from error

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse `<name>+<hex key ID>+<base64(0x01 || public key)>`; the key ID must match the key."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise InvalidKey("a verifier key reads <name>+<key ID>+<key>")
        name, id_hex, encoded = parts
        verifier = cls(name, _decode_key_material(encoded, "verifier"))
        _require_key_id(id_hex, verifier.key_id)
        return verifier

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_encode_key_material(self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verifier) and (other.name, other.public_key) == (self.name, self.public_key)

    def __hash__(self) -> int:
        return hash((self.name, self.public_key))

    def __repr__(self) -> str:
        return f"Verifier({self.vkey!r})"


class Signer:
    """One Ed25519 private key, under its name. Its repr shows no secret."""

    def __init__(self, name: str, seed: bytes) -> None:
        _require_key_name(name)
        if len(seed) != SEED_SIZE:
            raise InvalidKey(f"an Ed25519 private key seed is {SEED_SIZE} bytes, not {len(seed)}")
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.verifier = Verifier(name, self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        self.key_id = self.verifier.key_id

    @classmethod
    def from_key_string(cls, key_string: str) -> Signer:
        """Parse `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`; the key ID must match the key."""
        if not key_string.startswith(PRIVATE_KEY_PREFIX):
            raise InvalidKey("a signer key starts with PRIVATE+KEY+")
        parts = key_string.removeprefix(PRIVATE_KEY_PREFIX).split("+", 2)
        if len(parts) != 3:
            raise InvalidKey("a signer key reads PRIVATE+KEY+<name>+<key ID>+<key>")
        name, id_hex, encoded = parts
        signer = cls(name, _decode_key_material(encoded, "signer"))
        _require_key_id(id_hex, signer.key_id)
        return signer

    @property
    def key_string(self) -> str:
        """The secret key string; keep it secret."""
        seed = self._key.private_bytes_raw()
        return f"{PRIVATE_KEY_PREFIX}{self.name}+{self.key_id.hex()}+{_encode_key_material(seed)}"

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def __repr__(self) -> str:
        return f"Signer({self.name!r}, key_id={self.key_id.hex()!r})"


def generate_signer(name: str) -> tuple[str, str]:
    """A new Ed25519 key for `name`: (signer key string, verifier key string)."""
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    signer = Signer(name, seed)
    return signer.key_string, signer.verifier.vkey


def _require_key_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise InvalidKey(
            f"invalid key name {name!r}: a key name is non-empty, "
            "with no spaces, no '+' and no control characters"
        )


def _require_key_id(id_hex: str, expected: bytes) -> None:
    if not _KEY_ID_HEX.fullmatch(id_hex):
        raise InvalidKey(f"a key ID is 8 hexadecimal digits, not {id_hex!r}")
    if bytes.fromhex(id_hex) != expected:
        raise InvalidKey(f"key ID {id_hex} does not belong to this name and key (expected {expected.hex()})")


def _decode_key_material(encoded: str, what: str) -> bytes:
    raw = _strict_b64decode(encoded)
    if raw is None or len(raw) != 1 + 32:
        raise InvalidKey(f"the {what} key's last part must be the base64 of 33 bytes")
    if raw[0] != ED25519:
        raise InvalidKey(f"unsupported key algorithm 0x{raw[0]:02x}: only Ed25519 (0x01) is supported")
    return raw[1:]


def _encode_key_material(key: bytes) -> str:
    return base64.b64encode(bytes([ED25519]) + key).decode("ascii")


def _strict_b64decode(encoded: str) -> bytes | None:
    """Standard padded base64 (RFC 4648 section 4), canonical only: one text per byte string, so nothing
    can be re-encoded into a second valid form."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == encoded else None


# Notes


def sign_note(text: str, signer: Signer) -> str:
    """The signed note of `text`, which must end in a newline and may contain blank lines."""
    _require_note_text(text)
    signature = signer.sign(text.encode())
    encoded = base64.b64encode(signer.key_id + signature).decode("ascii")
    note = f"{text}\n{SIGNATURE_PREFIX}{signer.name} {encoded}\n"
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise InvalidNote(f"a signed note may be at most {MAX_NOTE_BYTES} bytes")
    return note


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> str:
    """The text of `note` once a signature by one of `verifiers` checks out.

    Signatures by keys not among `verifiers` are ignored, as the spec requires (they may be a witness's
    cosignatures or a rotated key's); a signature by a known key that fails to verify refuses the note."""
    decoded = _decode_note(note)
    text, signature_lines = _split_note(decoded)
    known = _index_verifiers(verifiers)
    verified = 0
    for line in signature_lines:
        name, signed_key_id, signature = _parse_signature_line(line)
        verifier = known.get((name, signed_key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), signature):
            raise InvalidNote(f"the signature by key {name}+{signed_key_id.hex()} does not verify", key=name)
        verified += 1
    if verified == 0:
        raise InvalidNote("the note bears no signature by a known key")
    return text


def note_signatures(note: str | bytes) -> tuple[str, list[tuple[str, bytes, bytes, str]]]:
    """The text of a note and each signature line as (key name, key ID, signature, line), checking the
    note's form but no signature: for cosignatures, whose keys sign another message than the text."""
    text, lines = _split_note(_decode_note(note))
    return text, [(*_parse_signature_line(line), line) for line in lines]


def _require_note_text(text: str) -> None:
    if not text.endswith("\n"):
        raise InvalidNote("a note's text must end with a newline")
    if _FORBIDDEN_CONTROL.search(text):
        raise InvalidNote("a note's text may contain no control character other than newline")
    try:
        text.encode()
    except UnicodeEncodeError as error:
        raise InvalidNote("a note's text must be valid Unicode (it holds a lone surrogate)") from error


def _decode_note(note: str | bytes) -> str:
    """Size, UTF-8 and control-character checks, over the whole note (signature lines included)."""
    # A str has at most as many characters as its UTF-8 has bytes, so the length check can come first.
    if len(note) > MAX_NOTE_BYTES:
        raise InvalidNote(f"a signed note may be at most {MAX_NOTE_BYTES} bytes")
    try:
        raw = note if isinstance(note, bytes) else note.encode()
        decoded = raw.decode()
    except UnicodeError as error:
        raise InvalidNote("a signed note must be valid UTF-8") from error
    if len(raw) > MAX_NOTE_BYTES:
        raise InvalidNote(f"a signed note may be at most {MAX_NOTE_BYTES} bytes")
    if _FORBIDDEN_CONTROL.search(decoded):
        raise InvalidNote("a signed note may contain no control character other than newline")
    return decoded


def _split_note(note: str) -> tuple[str, list[str]]:
    """(text, signature lines): the text may hold blank lines, so the LAST blank line separates them."""
    split = note.rfind("\n\n")
    if split < 0:
        raise InvalidNote("a signed note needs a blank line between its text and its signatures")
    text, signatures = note[: split + 1], note[split + 2 :]
    if not signatures.endswith("\n"):
        raise InvalidNote("a signed note must end with a signature line and a newline")
    lines = signatures[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise InvalidNote(f"a signed note may carry at most {MAX_SIGNATURES} signatures")
    return text, lines


def _parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    """(key name, key ID, signature) of `— <name> <base64>`."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise InvalidNote(f"a signature line starts with an em dash and a space: {line[:40]!r}")
    name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
    raw = _strict_b64decode(encoded)
    if not is_valid_key_name(name) or raw is None or len(raw) <= KEY_ID_SIZE:
        raise InvalidNote(f"malformed signature line {line[:80]!r}")
    return name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:]


def _index_verifiers(verifiers: Iterable[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    known: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        if known.setdefault(key, verifier) != verifier:
            # Two keys sharing name and ID: whichever signed, the other would refuse the note.
            raise InvalidKey(
                f"two different keys share the name and key ID {verifier.name}+{verifier.key_id.hex()}"
            )
    return known


# Checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: its origin, its size and the RFC 9162 root hash at that size."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        return format_checkpoint(self.origin, self.size, self.root_hash, self.extensions)


def format_checkpoint(origin: str, size: int, root_hash: bytes, extensions: Sequence[str] = ()) -> str:
    """The checkpoint body: origin, decimal size, base64 root hash and extension lines, each line ended."""
    _require_line(origin, "the origin")
    if not 0 <= size <= MAX_TREE_SIZE:
        raise InvalidCheckpoint(f"a tree size is between 0 and {MAX_TREE_SIZE}, not {size}", size=size)
    if len(root_hash) != HASH_SIZE:
        raise InvalidCheckpoint(f"a root hash is {HASH_SIZE} bytes, not {len(root_hash)}")
    for extension in extensions:
        _require_line(extension, "an extension line")
    lines = [origin, str(size), base64.b64encode(root_hash).decode("ascii"), *extensions]
    return "".join(f"{line}\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body strictly: every field exactly as `format_checkpoint` writes it."""
    if not text.endswith("\n"):
        raise InvalidCheckpoint("a checkpoint ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise InvalidCheckpoint("a checkpoint has at least three lines: origin, tree size and root hash")
    origin, size_line, hash_line, *extensions = lines
    _require_line(origin, "the origin")
    for extension in extensions:
        _require_line(extension, "an extension line")
    return Checkpoint(origin, _parse_tree_size(size_line), _parse_root_hash(hash_line), tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    return sign_note(checkpoint.text(), signer)


def open_checkpoint(note: str | bytes, verifiers: Iterable[Verifier], origin: str) -> Checkpoint:
    """The checkpoint in a signed note, once a known key's signature verifies and the origin is `origin`:
    a valid signature on another log's checkpoint says nothing about this log."""
    checkpoint = parse_checkpoint(open_note(note, verifiers))
    if checkpoint.origin != origin:
        raise InvalidCheckpoint(
            f"the checkpoint is for {checkpoint.origin!r}, not {origin!r}", origin=checkpoint.origin
        )
    return checkpoint


def _require_line(line: str, what: str) -> None:
    if line == "":
        raise InvalidCheckpoint(f"{what} must not be empty")
    if "\n" in line or _FORBIDDEN_CONTROL.search(line):
        raise InvalidCheckpoint(f"{what} must be one line without control characters")


def _parse_tree_size(line: str) -> int:
    if not _TREE_SIZE.fullmatch(line):
        raise InvalidCheckpoint(
            f"the tree size must be decimal digits without leading zeros, not {line[:40]!r}"
        )
    size = int(line)
    if size > MAX_TREE_SIZE:
        raise InvalidCheckpoint(f"the tree size {line} exceeds {MAX_TREE_SIZE}")
    return size


def _parse_root_hash(line: str) -> bytes:
    raw = _strict_b64decode(line)
    if raw is None or len(raw) != HASH_SIZE:
        raise InvalidCheckpoint(f"the root hash must be the base64 of {HASH_SIZE} bytes, not {line[:60]!r}")
    return raw
