"""The command line as an operator uses it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx2

from archive.config import Settings
from archive.digests import digest_bytes
from tests.conftest import shared_path
from tests.e2e.server import run_archive, serving

SEED = shared_path("corpus", "seed")
KEY = re.compile(r"ark_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def test_commands_refuse_an_unmigrated_database_and_say_what_to_run(tmp_path: Path) -> None:
    for args in (["keys", "create", "--role", "admin", "--name", "x"], ["serve", "--port", "1"]):
        result = run_archive(tmp_path, *args)
        assert result.returncode == 1
        assert "run `archive db upgrade`" in result.stderr
        assert result.stderr.count("\n") == 1, "one line"


def test_keys_create_prints_the_key_alone_and_revoke_locks_it_out(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    created = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "eve")
    assert created.returncode == 0, created.stderr
    assert KEY.fullmatch(created.stdout.rstrip("\n"))
    assert created.stdout.count("\n") == 1
    key = created.stdout.strip()

    listed = run_archive(tmp_path, "keys", "list")
    assert re.search(r"^\s*eve\s+archivist\s+\S+\s+active\s*$", listed.stdout, re.MULTILINE), listed.stdout
    assert key not in listed.stdout

    duplicate = run_archive(tmp_path, "keys", "create", "--role", "reader", "--name", "eve")
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr

    bad_role = run_archive(tmp_path, "keys", "create", "--role", "wizard", "--name", "w")
    assert bad_role.returncode != 0
    assert "wizard" in bad_role.stderr

    with serving(tmp_path) as server:
        headers = {"Authorization": f"Bearer {key}"}
        seed = (SEED / "dhs-irs-deputize.txt").read_bytes()
        ok = httpx2.post(
            f"{server.url}/v1/documents", files={"file": ("a.txt", seed)}, headers=headers, timeout=60
        )
        assert ok.status_code == 201
        assert run_archive(tmp_path, "keys", "revoke", "eve").returncode == 0
        time.sleep(Settings().key_cache_seconds)  # the server trusts a key it checked for this long
        refused = httpx2.post(
            f"{server.url}/v1/documents", files={"file": ("b.txt", b"b")}, headers=headers, timeout=60
        )
        assert refused.status_code == 401

    verified = run_archive(tmp_path, "verify", str(SEED / "dhs-irs-deputize.txt"))
    assert verified.returncode == 0
    assert "35364124755f1faa76523c809804777186cc5ab80d5db76472c0c17126a21db9" in verified.stdout
    assert "version 1" in verified.stdout
    stranger = tmp_path / "stranger.txt"
    stranger.write_bytes(b"never archived")
    not_archived = run_archive(tmp_path, "verify", str(stranger))
    assert not_archived.returncode == 1
    assert "not archived" in not_archived.stderr
    as_json = json.loads(run_archive(tmp_path, "verify", str(SEED / "dhs-irs-deputize.txt"), "--json").stdout)
    assert as_json["archived"] is True
    assert as_json["blake3"] == "35364124755f1faa76523c809804777186cc5ab80d5db76472c0c17126a21db9"
    assert [v["version"] for v in as_json["versions"]] == [1]
    assert as_json["versions"][0]["archived_at"].endswith("Z")
    assert as_json["fixity"] is None
    stranger_json = run_archive(tmp_path, "verify", str(stranger), "--json")
    assert stranger_json.returncode == 1
    stranger_digests = digest_bytes(b"never archived")
    assert json.loads(stranger_json.stdout) == {
        "archived": False,
        "blake3": stranger_digests.blake3,
        "sha256": stranger_digests.sha256,
        "size": stranger_digests.size,
        "versions": [],
        "fixity": None,
    }

    assert run_archive(tmp_path, "keys", "revoke", "nobody").returncode == 1


def test_first_start_prints_an_admin_key_once(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path) as server:
        out, err = server.stop()
    key = out.splitlines()[0]
    assert KEY.fullmatch(key), out
    assert "shown this once" in err
    with serving(tmp_path) as server:
        headers = {"Authorization": f"Bearer {key}"}
        response = httpx2.post(
            f"{server.url}/v1/verify", json={"blake3": "0" * 64}, headers=headers, timeout=60
        )
        assert response.status_code == 200
        out, _ = server.stop()
    assert KEY.search(out) is None, "the admin key is printed on the first start only"


def test_bad_configuration_is_one_line(tmp_path: Path) -> None:
    result = run_archive(tmp_path, "db", "upgrade", ARCHIVE_STORAGE_URL="ftp://somewhere/x")
    assert result.returncode == 1
    assert "ARCHIVE_STORAGE_URL" in result.stderr
    assert result.stderr.count("\n") == 1


def test_numbers_out_of_range_are_refused_with_a_message(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    document_id = "01M8S54KQAMGET40B0KVV98FQ1"
    huge = "99999999999999999999"
    for command in (
        ("get", document_id, "--version", huge),
        ("diff", document_id, "1", huge),
        ("diff", document_id, huge, "1"),
        ("serve", "--port", "99999"),
        ("serve", "--port", "0"),
    ):
        result = run_archive(tmp_path, *command)
        assert result.returncode == 2, (command, result.stderr)
        assert "Invalid value" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
