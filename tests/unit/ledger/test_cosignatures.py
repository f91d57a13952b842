"""Cosignatures as c2sp.org/tlog-cosignature defines them: key IDs, the signed message, and the refusals."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archive.ledger import InvalidKey, InvalidNote, generate_signer
from archive.ledger.cosignatures import (
    CosignerKey,
    add_checkpoint_body,
    cosignatures,
    with_cosignatures,
    witness_answer_lines,
)
from archive.ledger.notes import Signer, sign_note

BODY = "example.com/log\n3\n" + base64.b64encode(bytes(32)).decode() + "\n"


def witness(name: str) -> tuple[Ed25519PrivateKey, CosignerKey]:
    private = Ed25519PrivateKey.generate()
    return private, CosignerKey(name, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def line(private: Ed25519PrivateKey, key: CosignerKey, body: str, timestamp: int = 1_679_315_147) -> str:
    message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
    raw = key.key_id + struct.pack(">Q", timestamp) + private.sign(message)
    return f"\u2014 {key.name} {base64.b64encode(raw).decode()}"


def test_the_key_id_and_vkey_use_the_cosignature_algorithm_byte() -> None:
    _, key = witness("witness.example/w1")
    expected = hashlib.sha256(b"witness.example/w1\n\x04" + key.public_key).digest()[:4]
    assert key.key_id == expected
    assert CosignerKey.from_vkey(key.vkey) == key
    log_vkey = generate_signer("witness.example/w1")[1]  # an 0x01 key: not a cosigner's
    with pytest.raises(InvalidKey, match="0x04"):
        CosignerKey.from_vkey(log_vkey)
    with pytest.raises(InvalidKey, match="does not belong"):
        CosignerKey.from_vkey(key.vkey.replace(key.key_id.hex(), "00000000"))


def test_cosignatures_verify_over_the_body_and_the_log_s_own_line_is_ignored() -> None:
    private, key = witness("witness.example/w1")
    log = Signer("example.com/log", bytes(range(32)))
    note = with_cosignatures(sign_note(BODY, log), [line(private, key, BODY)])
    (found,) = cosignatures(note, [key])
    assert (found.witness, found.timestamp) == (key, 1_679_315_147)
    assert with_cosignatures(note, [found.line]) == note, "a line is appended once"
    _, stranger = witness("witness.example/w2")
    assert cosignatures(note, [stranger]) == []


def test_a_cosignature_that_does_not_verify_refuses_the_note() -> None:
    private, key = witness("witness.example/w1")
    other_body = BODY.replace("\n3\n", "\n4\n")
    with pytest.raises(InvalidNote, match="does not verify"):
        cosignatures(f"{BODY}\n{line(private, key, other_body)}\n", [key])
    with pytest.raises(InvalidNote, match="no valid timestamp"):
        cosignatures(f"{BODY}\n{line(private, key, BODY, timestamp=0)}\n", [key])
    with pytest.raises(InvalidNote, match="signature lines"):
        witness_answer_lines("hello\n", BODY, key)


def test_an_add_checkpoint_body_is_the_old_size_the_proof_a_blank_line_and_the_note() -> None:
    body = add_checkpoint_body(20, [bytes(32), b"\xff" * 32], "NOTE\n")
    assert body == (
        b"old 20\n" + base64.b64encode(bytes(32)) + b"\n" + base64.b64encode(b"\xff" * 32) + b"\n\nNOTE\n"
    )
    with pytest.raises(InvalidNote):
        add_checkpoint_body(1, [bytes(32)] * 64, "NOTE\n")
