"""The verifiable log through the API and the command line: checkpoints, proofs, receipts, offline checks."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from archive.ledger import (
    Checkpoint,
    Verifier,
    generate_signer,
    leaf_hash,
    open_checkpoint,
    parse_entry,
    verify_consistency,
    verify_inclusion,
)
from archive.ledger.receipts import check_receipt
from tests.conftest import shared_path
from tests.e2e.conftest import Api
from tests.e2e.server import run_archive
from tests.e2e.test_refusals import assert_problem

SEED_TEXT = shared_path("corpus", "seed", "dhs-irs-deputize.txt")


def verifier(api: Api) -> Verifier:
    response = api.get("/v1/log/key")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return Verifier.from_vkey(response.text.strip())


def checkpoint(api: Api) -> tuple[Checkpoint, str]:
    note = api.get("/v1/log/checkpoint").text
    key = verifier(api)
    return open_checkpoint(note, [key], origin=key.name), note


def test_versions_and_keys_are_logged_and_proved(api: Api) -> None:
    first = api.upload(SEED_TEXT.read_bytes(), media_type="text/plain").json()
    second = api.upload(b"another document").json()
    assert isinstance(first["log_index"], int)
    assert second["log_index"] == first["log_index"] + 1

    entry = api.get(f"/v1/log/entries/{first['log_index']}").json()
    event = parse_entry(entry["entry"].encode())
    assert event["type"] == "version.added"
    assert (event["document_id"], event["version"]) == (first["document_id"], 1)
    assert (event["blake3"], event["sha256"], event["size"]) == (
        first["blake3"],
        first["sha256"],
        first["size"],
    )
    assert event["actor"] == "test-archivist"
    assert base64.b64decode(entry["leaf_hash"]) == leaf_hash(entry["entry"].encode())
    key_events = [parse_entry(api.get(f"/v1/log/entries/{i}").json()["entry"].encode()) for i in range(4)]
    assert [e["type"] for e in key_events] == ["key.created"] * 4

    signed, _ = checkpoint(api)
    assert signed.size == second["log_index"] + 1
    proof = api.get(
        "/v1/log/proof/inclusion", params={"index": first["log_index"], "tree_size": signed.size}
    ).json()
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    verify_inclusion(
        base64.b64decode(entry["leaf_hash"]), first["log_index"], signed.size, hashes, signed.root_hash
    )

    third = api.upload(b"a third").json()
    later, _ = checkpoint(api)
    assert later.size == third["log_index"] + 1
    consistency = api.get("/v1/log/proof/consistency", params={"from": signed.size, "to": later.size}).json()
    verify_consistency(
        signed.size,
        later.size,
        signed.root_hash,
        later.root_hash,
        [base64.b64decode(h) for h in consistency["hashes"]],
    )
    again, _ = checkpoint(api)
    assert again == later, "the same tree is not signed twice"


def test_log_refusals(api: Api) -> None:
    api.upload(b"x")
    assert_problem(api.get("/v1/log/entries/999"), 404)
    # No such proof: a leaf past the tree, a tree the log never had, a tree "extending" a larger one.
    beyond = assert_problem(api.get("/v1/log/proof/inclusion", params={"index": 5, "tree_size": 2}), 404)
    assert beyond["index"] == 5 and beyond["tree_size"] == 2
    assert_problem(api.get("/v1/log/proof/inclusion", params={"index": 0, "tree_size": 999}), 404)
    assert_problem(api.get("/v1/log/proof/consistency", params={"from": 3, "to": 2}), 404)
    # Malformed: sizes below 1 (no proof is of or from the empty tree).
    assert_problem(api.get("/v1/log/proof/consistency", params={"from": 0, "to": 2}), 422)
    assert_problem(api.get("/v1/log/proof/inclusion", params={"index": 0, "tree_size": 0}), 422)
    assert_problem(api.client.get("/v1/log/checkpoint"), 401)


def test_receipts_verify_offline(api: Api, tmp_path: Path) -> None:
    version = api.upload(SEED_TEXT.read_bytes(), media_type="text/plain").json()
    receipt = api.get(f"/v1/documents/{version['document_id']}/versions/1/receipt").json()
    assert receipt["index"] == version["log_index"]
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(receipt))
    key_file = tmp_path / "log.vkey"
    key_file.write_text(api.get("/v1/log/key").text)

    ok = run_archive(
        tmp_path, "verify-receipt", str(receipt_file), "--key", str(key_file), "--file", str(SEED_TEXT)
    )
    assert ok.returncode == 0, ok.stderr
    assert "signature ok" in ok.stdout and "inclusion ok" in ok.stdout and "file ok" in ok.stdout

    other = tmp_path / "other.txt"
    other.write_bytes(SEED_TEXT.read_bytes() + b" ")
    wrong_file = run_archive(
        tmp_path, "verify-receipt", str(receipt_file), "--key", str(key_file), "--file", str(other)
    )
    assert wrong_file.returncode == 1
    assert "not the archived ones" in wrong_file.stderr

    tampered = dict(receipt, entry=receipt["entry"].replace('"version":1', '"version":2'))
    tampered_file = tmp_path / "tampered.json"
    tampered_file.write_text(json.dumps(tampered))
    refused = run_archive(tmp_path, "verify-receipt", str(tampered_file), "--key", str(key_file))
    assert refused.returncode == 1
    assert refused.stderr.startswith("archive: ")

    stranger_key = tmp_path / "stranger.vkey"
    stranger_key.write_text(generate_signer("archive.local/log")[1])
    unsigned = run_archive(tmp_path, "verify-receipt", str(receipt_file), "--key", str(stranger_key))
    assert unsigned.returncode == 1


def test_log_verify_finds_the_first_tampered_leaf(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    for name in ("a", "b", "c"):
        assert run_archive(tmp_path, "keys", "create", "--role", "reader", "--name", name).returncode == 0
    verified = run_archive(tmp_path, "log", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "3 leaves" in verified.stdout

    with sqlite3.connect(tmp_path / "archive.db") as db:
        db.execute(
            "UPDATE log_entries SET entry = CAST(replace(entry, 'reader', 'admin') AS BLOB)"
            " WHERE leaf_index = 1"
        )
    broken = run_archive(tmp_path, "log", "verify")
    assert broken.returncode == 1
    assert "first bad leaf: 1" in broken.stderr


def test_eleven_documents_every_receipt_verifies_and_the_history_is_consistent(api: Api) -> None:
    key = verifier(api)
    first_checkpoint, _ = checkpoint(api)
    versions = [api.upload(SEED_TEXT.read_bytes(), media_type="text/plain").json()]
    versions += [api.upload(f"document number {n}".encode()).json() for n in range(10)]
    for version in versions:
        receipt = api.get(f"/v1/documents/{version['document_id']}/versions/1/receipt").json()
        checked = check_receipt(receipt, key)
        assert checked.index == version["log_index"]
        assert checked.event["blake3"] == version["blake3"]
    last_checkpoint, _ = checkpoint(api)
    assert last_checkpoint.size == first_checkpoint.size + 11
    proof = api.get(
        "/v1/log/proof/consistency", params={"from": first_checkpoint.size, "to": last_checkpoint.size}
    ).json()["hashes"]
    verify_consistency(
        first_checkpoint.size,
        last_checkpoint.size,
        first_checkpoint.root_hash,
        last_checkpoint.root_hash,
        [base64.b64decode(h) for h in proof],
    )
