"""A C2SP tlog-witness written for the tests from the specification (c2sp.org/tlog-witness, tlog-cosignature,
signed-note), serving `add-checkpoint` over HTTP on a loopback port.

It parses notes and keys and signs cosignatures with `cryptography` alone, as the spec words them, so that
the archive's side of the protocol is held against a reading of the spec that does not share its code; the
RFC 9162 consistency check is the project's verifier, which the public conformance vectors hold.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archive.errors import ArchiveError
from archive.ledger import verify_consistency
from tests.loopback import loopback_server

EMPTY_ROOT = hashlib.sha256(b"").digest()


@dataclass(frozen=True)
class LogKey:
    """A log's Ed25519 verifier key, parsed from its vkey as signed-note defines it."""

    name: str
    key_id: bytes
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, vkey: str) -> LogKey:
        name, key_id, encoded = vkey.strip().split("+", 2)
        raw = base64.b64decode(encoded)
        assert raw[0] == 0x01 and len(raw) == 33
        return cls(name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(raw[1:]))


@dataclass
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


@dataclass
class SpecWitness:
    name: str
    logs: dict[str, list[LogKey]]
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    # origin -> (size, root hash) of the latest checkpoint cosigned
    state: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def public_key(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(self.name.encode() + b"\n" + b"\x04" + self.public_key).digest()[:4]

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(b"\x04" + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def add_checkpoint(self, request: bytes) -> Answer:
        answer = self._add_checkpoint(request)
        self.statuses.append(answer.status)
        return answer

    def _add_checkpoint(self, request: bytes) -> Answer:
        try:
            head, note = request.decode().split("\n\n", 1)
            old_line, *proof_lines = head.split("\n")
            assert old_line.startswith("old ")
            old = int(old_line.removeprefix("old "))
            proof = [base64.b64decode(line, validate=True) for line in proof_lines]
            text, signatures = note[: note.rindex("\n\n") + 1], note[note.rindex("\n\n") + 2 :]
            origin, size_line, root_line = text.split("\n")[:3]
            size, root = int(size_line), base64.b64decode(root_line, validate=True)
        except (ValueError, AssertionError):
            return Answer(400, "malformed\n")
        if origin not in self.logs:
            return Answer(404, "unknown origin\n")
        if not self._log_signed(origin, text, signatures):
            return Answer(403, "no valid signature by a trusted key\n")
        if old > size:
            return Answer(400, "old size larger than the checkpoint\n")
        with self.lock:  # checking the old size and storing the new state: one atomic step
            return self._check_and_cosign(origin, old, proof, size, root, text)

    def _check_and_cosign(
        self, origin: str, old: int, proof: list[bytes], size: int, root: bytes, text: str
    ) -> Answer:
        held_size, held_root = self.state.get(origin, (0, EMPTY_ROOT))
        if old != held_size:
            return Answer(409, f"{held_size}\n", "text/x.tlog.size")
        if size == 0 and root != EMPTY_ROOT:
            return Answer(422, "an empty tree has the empty root\n")
        if old == 0 and proof:
            return Answer(422, "no proof from the empty tree\n")
        if old == size and (proof or root != held_root):
            return Answer(422, "same size, another root\n")
        if 0 < old < size:
            try:
                verify_consistency(old, size, held_root, root, proof)
            except ArchiveError:
                return Answer(422, "the consistency proof does not verify\n")
        self.state[origin] = (size, root)
        return Answer(200, self.cosign(text))

    def _log_signed(self, origin: str, text: str, signatures: str) -> bool:
        trusted = {(key.name, key.key_id): key for key in self.logs[origin]}
        verified = False
        for line in signatures.rstrip("\n").split("\n"):
            name, _, encoded = line.removeprefix("\u2014 ").partition(" ")
            raw = base64.b64decode(encoded)
            key = trusted.get((name, raw[:4]))
            if key is None:
                continue
            try:
                key.public.verify(raw[4:], text.encode())
            except InvalidSignature:
                return False
            verified = True
        return verified

    def cosign(self, text: str, timestamp: int | None = None) -> str:
        """A cosignature/v1 line over the checkpoint body `text`."""
        stamp = timestamp if timestamp is not None else int(time.time())
        message = f"cosignature/v1\ntime {stamp}\n{text}".encode()
        signature = struct.pack(">Q", stamp) + self.private.sign(message)
        return f"\u2014 {self.name} {base64.b64encode(self.key_id + signature).decode()}\n"


def _handler(witness: SpecWitness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/add-checkpoint":
                answer = Answer(404, "not found\n")
            else:
                length = int(self.headers.get("Content-Length", "0"))
                answer = witness.add_checkpoint(self.rfile.read(length))
            data = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serving(witness: SpecWitness, port: int = 0) -> AbstractContextManager[str]:
    """The witness on 127.0.0.1 (`port`, or a free one); its URL prefix."""
    return loopback_server(_handler(witness), port)
