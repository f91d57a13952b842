"""Signed notes: the Go reference's example (golang.org/x/mod/sumdb/note), and every way to get one wrong."""

from __future__ import annotations

import base64

import pytest

from archive.ledger import (
    MAX_NOTE_BYTES,
    InvalidKey,
    InvalidNote,
    Signer,
    Verifier,
    generate_signer,
    key_id,
    open_note,
    sign_note,
)

# From golang.org/x/mod/sumdb/note (its package documentation and note_test.go).
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = TEXT + "\n" + PETER_SIG


@pytest.fixture(scope="module")
def peter() -> Verifier:
    return Verifier.from_vkey(PETER_VKEY)


@pytest.fixture(scope="module")
def enoch() -> Verifier:
    return Verifier.from_vkey(ENOCH_VKEY)


@pytest.fixture(scope="module")
def other() -> Signer:
    return Signer.from_key_string(generate_signer("example.com/other")[0])


# The reference example


def test_the_reference_keys_parse_and_agree() -> None:
    signer = Signer.from_key_string(PETER_SIGNER)
    verifier = Verifier.from_vkey(PETER_VKEY)
    assert signer.name == verifier.name == "PeterNeumann"
    assert signer.key_id.hex() == verifier.key_id.hex() == "c74f20a3"
    assert key_id("PeterNeumann", verifier.public_key).hex() == "c74f20a3"
    assert signer.verifier == verifier
    assert verifier.vkey == PETER_VKEY
    assert signer.key_string == PETER_SIGNER


def test_signing_reproduces_the_reference_note_byte_for_byte() -> None:
    # Ed25519 is deterministic, so the same key and text give the reference's exact signature.
    assert sign_note(TEXT, Signer.from_key_string(PETER_SIGNER)) == PETER_NOTE


def test_the_reference_note_opens(peter: Verifier) -> None:
    assert open_note(PETER_NOTE, [peter]) == TEXT
    assert open_note(PETER_NOTE.encode(), [peter]) == TEXT


def test_the_reference_doubly_signed_note_opens_with_either_key(peter: Verifier, enoch: Verifier) -> None:
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(note, [peter]) == TEXT  # Enoch's signature is unknown here, so ignored
    assert open_note(note, [enoch]) == TEXT
    assert open_note(note, [peter, enoch]) == TEXT


def test_a_note_signed_only_by_unknown_keys_is_refused(enoch: Verifier) -> None:
    with pytest.raises(InvalidNote, match="no signature by a known key"):
        open_note(PETER_NOTE, [enoch])
    with pytest.raises(InvalidNote, match="no signature by a known key"):
        open_note(PETER_NOTE, [])


# Signing and opening


def test_generated_keys_sign_and_open() -> None:
    signer_key, vkey = generate_signer("archive.example/log")
    assert signer_key.startswith("PRIVATE+KEY+archive.example/log+")
    signer, verifier = Signer.from_key_string(signer_key), Verifier.from_vkey(vkey)
    assert signer.verifier == verifier
    assert vkey.split("+")[1] == verifier.key_id.hex()
    note = sign_note("archive.example/log\n3\n", signer)
    assert note.startswith("archive.example/log\n3\n\n— archive.example/log ")
    assert open_note(note, [verifier]) == "archive.example/log\n3\n"
    assert generate_signer("archive.example/log") != (signer_key, vkey)


def test_the_text_may_hold_blank_lines(other: Signer) -> None:
    for text in ["a\n\nb\n", "\n", "a\n\n", "a\n\n\n\nb\n\n"]:
        assert open_note(sign_note(text, other), [other.verifier]) == text


def test_a_signature_by_another_key_under_the_same_name_is_ignored(peter: Verifier) -> None:
    impostor = Signer.from_key_string(generate_signer("PeterNeumann")[0])
    with pytest.raises(InvalidNote, match="no signature by a known key"):
        open_note(sign_note(TEXT, impostor), [peter])


def test_a_signature_by_another_key_claiming_the_known_key_id_is_refused(peter: Verifier) -> None:
    impostor = Signer.from_key_string(generate_signer("PeterNeumann")[0])
    forged = base64.b64encode(peter.key_id + impostor.sign(TEXT.encode())).decode()
    with pytest.raises(InvalidNote, match="does not verify"):
        open_note(f"{TEXT}\n— PeterNeumann {forged}\n", [peter])


def test_a_note_with_modified_text_is_refused(peter: Verifier) -> None:
    tampered = PETER_NOTE.replace("cryptography", "cryptographY")
    with pytest.raises(InvalidNote, match="does not verify"):
        open_note(tampered, [peter])
    with pytest.raises(InvalidNote, match="does not verify"):
        open_note("Hello.\n" + PETER_NOTE, [peter])


def test_a_bad_signature_by_a_known_key_refuses_the_whole_note(peter: Verifier) -> None:
    corrupted = PETER_SIG[:60] + "ABCD" + PETER_SIG[64:]
    with pytest.raises(InvalidNote, match="PeterNeumann\\+c74f20a3 does not verify"):
        open_note(TEXT + "\n" + corrupted, [peter])
    # The spec says a known key's signature MUST be verified, so a good one beside it does not save the note.
    with pytest.raises(InvalidNote, match="does not verify"):
        open_note(TEXT + "\n" + PETER_SIG + corrupted, [peter])


def test_a_signature_of_the_wrong_length_does_not_verify(peter: Verifier) -> None:
    short = base64.b64encode(peter.key_id + b"\x00" * 10).decode()
    with pytest.raises(InvalidNote, match="does not verify"):
        open_note(f"{TEXT}\n— PeterNeumann {short}\n", [peter])


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (TEXT, "blank line"),
        (TEXT + "\n", "end with a signature line"),
        (TEXT + "\n" + PETER_SIG[:-1], "end with a signature line"),
        ("\x01" + PETER_NOTE, "control character"),
        (PETER_NOTE.replace("\n", "\r\n", 1), "control character"),
        (PETER_NOTE.replace("problem,", "problem,\t"), "control character"),
        ("\ud800" + PETER_NOTE, "valid UTF-8"),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter Neumann"), "malformed signature line"),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"), "malformed signature line"),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann ", ""), "malformed signature line"),
        (TEXT + "\n" + PETER_SIG.replace("— ", "- "), "em dash"),
        (TEXT + "\n" + PETER_SIG.replace("— ", "—"), "em dash"),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "em dash"),
        (TEXT + "\n" + PETER_SIG.replace("AM=", "AM"), "malformed signature line"),  # unpadded
        (TEXT + "\n" + PETER_SIG.replace("AM=", "AN="), "malformed signature line"),  # non-canonical
        (TEXT + "\n" + PETER_SIG.replace("x08g", "x0*g"), "malformed signature line"),
        (TEXT + "\n— PeterNeumann x08goA==\n", "malformed signature line"),  # a key ID and no signature
        (TEXT + "\n— PeterNeumann x08go/Y=\n", "does not verify"),  # a key ID and a 1-byte signature
        (TEXT + "\n" + PETER_SIG + "\n" + PETER_SIG, "does not verify"),  # a blank line among signatures
    ],
)
def test_malformed_notes_are_refused(note: str, reason: str, peter: Verifier) -> None:
    with pytest.raises(InvalidNote, match=reason):
        open_note(note, [peter])


def test_invalid_utf8_bytes_are_refused(peter: Verifier) -> None:
    with pytest.raises(InvalidNote, match="valid UTF-8"):
        open_note(b"\xff" + PETER_NOTE.encode(), [peter])


def test_notes_over_one_mebibyte_are_refused(other: Signer) -> None:
    line = "x" * 99 + "\n"
    text = line * ((MAX_NOTE_BYTES - 200) // 100)
    note = sign_note(text, other)
    assert open_note(note, [other.verifier]) == text
    too_long = "é" * (MAX_NOTE_BYTES // 2) + "\n"  # fewer characters than the limit, more bytes
    with pytest.raises(InvalidNote, match="at most 1048576 bytes"):
        open_note(too_long + "\n" + PETER_SIG, [other.verifier])
    with pytest.raises(InvalidNote, match="at most 1048576 bytes"):
        sign_note(too_long, other)


def test_at_most_a_hundred_signatures_are_read(peter: Verifier) -> None:
    assert open_note(TEXT + "\n" + PETER_SIG * 100, [peter]) == TEXT
    with pytest.raises(InvalidNote, match="at most 100 signatures"):
        open_note(TEXT + "\n" + PETER_SIG * 101, [peter])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no final newline", "end with a newline"),
        ("", "end with a newline"),
        ("tab\there\n", "control character"),
        ("carriage\r\n", "control character"),
        ("lone \ud800 surrogate\n", "valid Unicode"),
    ],
)
def test_texts_that_cannot_be_signed_are_refused(text: str, reason: str, other: Signer) -> None:
    with pytest.raises(InvalidNote, match=reason):
        sign_note(text, other)


# Keys


def test_every_mangling_of_the_reference_verifier_key_is_refused() -> None:
    # As the reference's TestNewVerifier: every proper substring, and every single-character change.
    for start in range(len(PETER_VKEY) + 1):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(InvalidKey):
                    Verifier.from_vkey(PETER_VKEY[start:end])
    for position in range(len(PETER_VKEY)):
        changed = PETER_VKEY[:position] + chr(ord(PETER_VKEY[position]) + 1) + PETER_VKEY[position + 1 :]
        with pytest.raises(InvalidKey):
            Verifier.from_vkey(changed)


def test_every_mangling_of_the_reference_signer_key_is_refused() -> None:
    for start in range(len(PETER_SIGNER) + 1):
        for end in range(start + 1, len(PETER_SIGNER) + 1):
            if (start, end) != (0, len(PETER_SIGNER)):
                with pytest.raises(InvalidKey):
                    Signer.from_key_string(PETER_SIGNER[start:end])
    for position in range(len(PETER_SIGNER)):
        changed = (
            PETER_SIGNER[:position] + chr(ord(PETER_SIGNER[position]) + 1) + PETER_SIGNER[position + 1 :]
        )
        with pytest.raises(InvalidKey):
            Signer.from_key_string(changed)


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        # From the reference's tests: a 35-byte key with its key ID adjusted, an unknown algorithm likewise.
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "33 bytes"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "algorithm 0x65"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not belong"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hexadecimal digits"),
        ("PeterNeumann+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "reads <name>"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
    ],
)
def test_bad_verifier_keys_are_refused(vkey: str, reason: str) -> None:
    with pytest.raises(InvalidKey, match=reason):
        Verifier.from_vkey(vkey)


def test_uppercase_key_ids_are_accepted_as_the_reference_does() -> None:
    assert Verifier.from_vkey(PETER_VKEY.replace("c74f20a3", "C74F20A3")).vkey == PETER_VKEY


@pytest.mark.parametrize(
    "name", ["", "two words", "a+b", "no\u00a0break", "ideographic\u3000space", "tab\tname"]
)
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidKey, match="invalid key name"):
        generate_signer(name)


def test_two_different_keys_under_one_name_and_key_id_are_ambiguous(peter: Verifier) -> None:
    class Colliding(Verifier):
        """A key whose ID collides with Peter's: an attacker can grind one in 2^32 tries."""

        def __init__(self) -> None:
            super().__init__("PeterNeumann", b"\x01" * 32)
            self.key_id = peter.key_id

    with pytest.raises(InvalidKey, match="share the name and key ID PeterNeumann\\+c74f20a3"):
        open_note(PETER_NOTE, [peter, Colliding()])
    # The same key twice is no ambiguity.
    assert open_note(PETER_NOTE, [peter, Verifier.from_vkey(PETER_VKEY)]) == TEXT


def test_a_signer_shows_no_secret() -> None:
    signer = Signer.from_key_string(PETER_SIGNER)
    assert repr(signer) == "Signer('PeterNeumann', key_id='c74f20a3')"
    assert "AYEK" not in repr(signer)
    assert str(signer) == repr(signer)
