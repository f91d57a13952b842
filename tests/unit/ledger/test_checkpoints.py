"""Checkpoints (c2sp.org/tlog-checkpoint): the exact body, strict parsing, a signed tree head end to end."""

from __future__ import annotations

import base64

import pytest

from archive.ledger import (
    Checkpoint,
    InvalidCheckpoint,
    InvalidNote,
    MemoryNodes,
    Signer,
    format_checkpoint,
    generate_signer,
    inclusion_proof,
    leaf_hash,
    open_checkpoint,
    parse_checkpoint,
    root_hash,
    sign_checkpoint,
    sign_note,
    verify_inclusion,
)

ORIGIN = "archive.example/log"
ROOT = bytes(range(32))
ROOT_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
BODY = f"{ORIGIN}\n42\n{ROOT_B64}\n"
URL_SAFE_ROOT = base64.urlsafe_b64encode(bytes([0xFB]) * 32).decode()  # "-" and "_" are not standard base64


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.from_key_string(generate_signer(ORIGIN)[0])


def test_format_writes_the_exact_body() -> None:
    assert format_checkpoint(ORIGIN, 42, ROOT) == BODY
    assert format_checkpoint(ORIGIN, 0, ROOT) == f"{ORIGIN}\n0\n{ROOT_B64}\n"
    assert format_checkpoint(ORIGIN, 42, ROOT, ["ext one", "ext two"]) == BODY + "ext one\next two\n"


def test_parse_reads_what_format_writes() -> None:
    assert parse_checkpoint(BODY) == Checkpoint(ORIGIN, 42, ROOT, ())
    with_extensions = parse_checkpoint(BODY + "ext one\next two\n")
    assert with_extensions.extensions == ("ext one", "ext two")
    assert with_extensions.text() == BODY + "ext one\next two\n"


def test_the_spec_example_parses() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = parse_checkpoint(body)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.text() == body


def test_the_largest_tree_size_parses_and_one_more_does_not() -> None:
    largest = (1 << 63) - 1
    assert parse_checkpoint(f"{ORIGIN}\n{largest}\n{ROOT_B64}\n").size == largest
    with pytest.raises(InvalidCheckpoint, match="exceeds"):
        parse_checkpoint(f"{ORIGIN}\n{largest + 1}\n{ROOT_B64}\n")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BODY[:-1], "ends with a newline"),
        (f"{ORIGIN}\n42\n", "at least three lines"),
        ("", "ends with a newline"),
        (f"\n42\n{ROOT_B64}\n", "origin must not be empty"),
        (f"{ORIGIN}\t\n42\n{ROOT_B64}\n", "origin must be one line"),
        (f"{ORIGIN}\n042\n{ROOT_B64}\n", "without leading zeros"),
        (f"{ORIGIN}\n00\n{ROOT_B64}\n", "without leading zeros"),
        (f"{ORIGIN}\n+42\n{ROOT_B64}\n", "decimal digits"),
        (f"{ORIGIN}\n-1\n{ROOT_B64}\n", "decimal digits"),
        (f"{ORIGIN}\n 42\n{ROOT_B64}\n", "decimal digits"),
        (f"{ORIGIN}\n42 \n{ROOT_B64}\n", "decimal digits"),
        (f"{ORIGIN}\n4_2\n{ROOT_B64}\n", "decimal digits"),
        (f"{ORIGIN}\n\uff14\uff12\n{ROOT_B64}\n", "decimal digits"),  # fullwidth digits, which int() takes
        (f"{ORIGIN}\n\n{ROOT_B64}\n", "decimal digits"),
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n", "base64 of 32 bytes"),
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT + b'x').decode()}\n", "base64 of 32 bytes"),
        (f"{ORIGIN}\n42\n{ROOT_B64.rstrip('=')}\n", "base64 of 32 bytes"),  # unpadded
        (f"{ORIGIN}\n42\n{ROOT_B64[:-2]}9=\n", "base64 of 32 bytes"),  # non-canonical trailing bits
        (f"{ORIGIN}\n42\n{ROOT_B64} \n", "base64 of 32 bytes"),
        (f"{ORIGIN}\n42\n{URL_SAFE_ROOT}\n", "base64 of 32 bytes"),
        (f"{ORIGIN}\n42\n\n", "base64 of 32 bytes"),
        (BODY + "\n", "extension line must not be empty"),
        (BODY + "ext\n\n", "extension line must not be empty"),
        (BODY + "ext\x00\n", "extension line must be one line"),
    ],
)
def test_bad_checkpoint_lines_are_refused(body: str, reason: str) -> None:
    with pytest.raises(InvalidCheckpoint, match=reason):
        parse_checkpoint(body)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions", "reason"),
    [
        ("", 1, ROOT, (), "origin must not be empty"),
        ("two\nlines", 1, ROOT, (), "origin must be one line"),
        (ORIGIN, -1, ROOT, (), "tree size"),
        (ORIGIN, 1 << 63, ROOT, (), "tree size"),
        (ORIGIN, 1, ROOT[:31], (), "32 bytes"),
        (ORIGIN, 1, ROOT, ("",), "extension line must not be empty"),
        (ORIGIN, 1, ROOT, ("a\nb",), "extension line must be one line"),
    ],
)
def test_format_refuses_what_parse_would(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(InvalidCheckpoint, match=reason):
        format_checkpoint(origin, size, root, extensions)


def test_a_signed_checkpoint_opens_and_proves_an_entry(signer: Signer) -> None:
    entries = [f"entry {i}".encode() for i in range(11)]
    nodes = MemoryNodes.from_leaf_hashes(leaf_hash(entry) for entry in entries)
    note = sign_checkpoint(Checkpoint(ORIGIN, nodes.size, root_hash(nodes, nodes.size)), signer)
    assert note.startswith(f"{ORIGIN}\n11\n")
    assert f"\n\n— {ORIGIN} " in note

    checkpoint = open_checkpoint(note, [signer.verifier], ORIGIN)
    assert checkpoint.size == 11
    proof = inclusion_proof(nodes, 7, checkpoint.size)
    verify_inclusion(leaf_hash(entries[7]), 7, checkpoint.size, proof, checkpoint.root_hash)


def test_a_checkpoint_for_another_origin_is_refused(signer: Signer) -> None:
    note = sign_checkpoint(Checkpoint("elsewhere.example/log", 1, ROOT), signer)
    with pytest.raises(InvalidCheckpoint, match=r"for 'elsewhere\.example/log', not 'archive\.example/log'"):
        open_checkpoint(note, [signer.verifier], ORIGIN)


def test_a_checkpoint_with_a_changed_size_is_refused(signer: Signer) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 42, ROOT), signer)
    with pytest.raises(InvalidNote, match="does not verify"):
        open_checkpoint(note.replace("\n42\n", "\n43\n", 1), [signer.verifier], ORIGIN)


def test_a_signed_note_that_is_no_checkpoint_is_refused(signer: Signer) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 42, ROOT), signer)
    assert open_checkpoint(note, [signer.verifier], ORIGIN).size == 42
    with pytest.raises(InvalidCheckpoint, match="at least three lines"):
        open_checkpoint(sign_note(f"{ORIGIN}\n42\n", signer), [signer.verifier], ORIGIN)
