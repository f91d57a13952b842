"""Rotating the log's signing key in the middle of a run: receipts from before and after verify offline,
the key listing tells each key's range, and a retired key cannot vouch for a tree past its range."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from archive.ledger import Checkpoint, Signer, Verifier, open_checkpoint, parse_entry, sign_checkpoint
from archive.ledger.receipts import check_receipt
from tests.conftest import Deployment
from tests.e2e.conftest import Api
from tests.e2e.server import run_archive


def deployment_env(deployment: Deployment) -> dict[str, str]:
    """The environment that points `archive` commands at the deployment's database, storage and key."""
    settings = deployment.settings
    env = {
        "ARCHIVE_DATABASE_URL": settings.database_url,
        "ARCHIVE_STORAGE_URL": settings.storage_url,
        "ARCHIVE_SIGNING_KEY_FILE": str(settings.signing_key_file),
        "ARCHIVE_LOG_ORIGIN": settings.log_origin,
    }
    if settings.s3_endpoint_url:
        env["ARCHIVE_S3_ENDPOINT_URL"] = settings.s3_endpoint_url
        env["ARCHIVE_S3_REGION"] = settings.s3_region or "us-east-1"
    return env


def receipt_of(api: Api, version: dict[str, object]) -> dict[str, object]:
    response = api.get(f"/v1/documents/{version['document_id']}/versions/{version['version']}/receipt")
    assert response.status_code == 200, response.text
    receipt: dict[str, object] = response.json()
    return receipt


def verify_receipt(
    tmp_path: Path, env: dict[str, str], receipt: dict[str, object], key: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"receipt-{receipt['index']}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(receipt))
    return run_archive(tmp_path, "verify-receipt", str(path), "--key", str(key), *extra, **env)


def test_a_rotation_mid_run_keeps_every_receipt_verifiable(
    api: Api, deployment: Deployment, tmp_path: Path
) -> None:
    env = deployment_env(deployment)
    before = api.upload(b"archived under the first key\n").json()
    receipt_before = receipt_of(api, before)
    old_vkey = api.get("/v1/log/key").text
    (tmp_path / "old.vkey").write_text(old_vkey)
    old_secret = Signer.from_key_string(deployment.settings.signing_key_file.read_text().strip())

    rotated = run_archive(tmp_path, "log", "rotate-key", "--reason", "scheduled", **env)
    assert rotated.returncode == 0, rotated.stderr
    assert "signs from tree size" in rotated.stdout

    after_file = tmp_path / "after.txt"
    after_file.write_bytes(b"archived under the second key\n")
    after = api.upload(after_file.read_bytes()).json()
    receipt_after = receipt_of(api, after)

    new_vkey = api.get("/v1/log/key").text
    assert new_vkey != old_vkey and new_vkey.count("\n") == 1
    listing = api.get("/v1/log/key", headers={"Accept": "application/json"})
    assert listing.headers["content-type"].startswith("application/json")
    keys = listing.json()["keys"]
    assert [k["vkey"] + "\n" for k in keys] == [old_vkey, new_vkey]
    assert listing.json()["current"] + "\n" == new_vkey
    first, second = keys
    assert first["first_size"] == 0 and first["last_size"] == second["first_size"]
    assert second["last_size"] is None and first["retired_reason"] == "scheduled"
    assert first["retired_at"] is not None and second["created_at"] is not None
    assert first["key_id"] == Verifier.from_vkey(first["vkey"]).key_id.hex()

    rotation = parse_entry(api.get(f"/v1/log/entries/{first['retired_by_leaf']}").json()["entry"].encode())
    assert rotation["type"] == "signing_key.rotated"
    assert (rotation["retired_key"], rotation["new_key"]) == (first["vkey"], second["vkey"])
    assert rotation["from_size"] == second["first_size"] == first["retired_by_leaf"] + 1
    assert before["log_index"] < first["retired_by_leaf"] < after["log_index"]

    old, new = Verifier.from_vkey(old_vkey.strip()), Verifier.from_vkey(new_vkey.strip())
    served = api.get("/v1/log/checkpoint").text
    assert open_checkpoint(served, [new], origin=new.name).size == after["log_index"] + 1
    assert old.name == new.name  # both keys are named by the log's origin

    keyring_file = tmp_path / "keys.json"
    keyring_file.write_text(listing.text)
    (tmp_path / "new.vkey").write_text(new_vkey)
    for receipt in (receipt_before, receipt_after, receipt_of(api, before)):
        ok = verify_receipt(tmp_path, env, receipt, keyring_file)
        assert ok.returncode == 0, ok.stderr
        assert "signature ok" in ok.stdout and "inclusion ok" in ok.stdout
    with_file = verify_receipt(tmp_path, env, receipt_after, keyring_file, "--file", str(after_file))
    assert with_file.returncode == 0 and "file ok" in with_file.stdout, with_file.stderr
    # A client holding only the key it fetched before the rotation still checks its old receipts,
    assert verify_receipt(tmp_path, env, receipt_before, tmp_path / "old.vkey").returncode == 0
    # and one holding only the new key checks the new ones; neither checks the other's.
    assert verify_receipt(tmp_path, env, receipt_after, tmp_path / "new.vkey").returncode == 0
    refused = verify_receipt(tmp_path, env, receipt_after, tmp_path / "old.vkey")
    assert refused.returncode == 1 and "no signature by a known key" in refused.stderr

    # The retired key, were it stolen, signs a checkpoint of the new tree: the keyring refuses it.
    inclusion = receipt_after["inclusion"]
    assert isinstance(inclusion, dict)
    genuine = open_checkpoint(str(receipt_after["checkpoint"]), [new], origin=new.name)
    forged_note = sign_checkpoint(Checkpoint(genuine.origin, genuine.size, genuine.root_hash), old_secret)
    forged = dict(receipt_after, checkpoint=forged_note)
    assert check_receipt(forged, old).checkpoint.size == genuine.size  # a lone old key is fooled
    fooled_not = verify_receipt(tmp_path, env, forged, keyring_file)
    assert fooled_not.returncode == 1 and "outside its range" in fooled_not.stderr

    checked = run_archive(tmp_path, "log", "verify", **env)
    assert checked.returncode == 0, checked.stderr


def test_the_key_listing_before_any_rotation_names_the_one_key(api: Api) -> None:
    text = api.get("/v1/log/key")
    assert text.headers["content-type"].startswith("text/plain")
    listing = api.get("/v1/log/key", headers={"Accept": "application/json"}).json()
    assert [k["vkey"] + "\n" for k in listing["keys"]] == [text.text]
    assert listing["keys"][0]["first_size"] == 0 and listing["keys"][0]["last_size"] is None
    # Plain text first, or anything else, keeps the one-line form.
    both = api.get("/v1/log/key", headers={"Accept": "text/plain, application/json"})
    assert both.text == text.text
    assert api.client.get("/v1/log/key").status_code == 401
