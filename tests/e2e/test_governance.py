"""Withdrawals (takedowns) and their reversal, on both deployments: the bytes are gone (410, with the reason
and the date) on every route that serves them, for every caller below admin; the record, the history and
the receipts stay visible and verifiable; each decision is a leaf of the log."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx2

from archive.ledger import parse_entry
from archive.roles import Role
from tests.conftest import Deployment
from tests.e2e.conftest import Api
from tests.e2e.server import run_archive
from tests.e2e.test_key_rotation import deployment_env, receipt_of, verify_receipt
from tests.e2e.test_ui_pages import log_in

PROBLEM = "application/problem+json"
SOURCE_URL = "https://example.org/news/2026/a-story-taken-down"
FIRST = b"A story that was taken down\n\nBy Ada Example\n\nIts first text names someone.\n"
SECOND = b"A story that was taken down\n\nBy Ada Example\n\nIts second text, corrected.\n"


def archive_two_versions(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    metadata = {"source_url": SOURCE_URL, "title": "A story that was taken down"}
    first = api.upload(FIRST, metadata=metadata)
    assert first.status_code == 201, first.text
    second = api.upload(SECOND, metadata=metadata)
    assert second.status_code == 201, second.text
    return first.json(), second.json()


def withdraw(api: Api, document_id: str, reason: str, **fields: Any) -> httpx2.Response:
    return api.client.post(
        f"/v1/documents/{document_id}/withdrawal",
        json={"reason": reason, **fields},
        headers=api.auth(Role.ADMIN),
    )


def content_routes(version: dict[str, Any]) -> list[tuple[str, str]]:
    """Every route that serves the version's bytes or something made from them."""
    base = f"/v1/documents/{version['document_id']}"
    number = version["version"]
    return [
        ("GET", f"{base}/content"),
        ("GET", f"{base}/versions/{number}/content"),
        ("HEAD", f"{base}/versions/{number}/content"),
        ("GET", f"{base}/versions/{number}/text"),
        ("GET", f"{base}/versions/{number}/preview"),
        ("GET", f"/v1/blobs/{version['blake3']}"),
        ("HEAD", f"/v1/blobs/{version['blake3']}"),
        ("GET", f"{base}/export"),
        ("GET", f"{base}/export?format=ocfl"),
        ("GET", f"{base}/timemap"),
        ("GET", f"{base}/timegate"),
        ("GET", f"/memento/timemap/link/{SOURCE_URL}"),
        ("GET", f"/memento/timegate/{SOURCE_URL}"),
        ("GET", f"/ui/documents/{version['document_id']}/versions/{number}/download"),
    ]


def record_routes(version: dict[str, Any]) -> list[str]:
    """Routes that describe the version without serving its bytes: they stay open."""
    base = f"/v1/documents/{version['document_id']}"
    return [
        base,
        f"{base}/versions",
        f"{base}/versions/{version['version']}",
        f"{base}/versions/{version['version']}/receipt",
        f"/v1/log/entries/{version['log_index']}",
    ]


def request(api: Api, method: str, path: str, role: Role) -> httpx2.Response:
    return api.client.request(method, path, headers=api.auth(role), follow_redirects=False)


def logged(api: Api, index: int) -> dict[str, Any]:
    entry = api.get(f"/v1/log/entries/{index}")
    assert entry.status_code == 200, entry.text
    return parse_entry(entry.json()["entry"].encode())


def test_a_withdrawn_document_is_gone_below_admin_and_back_after_reversal(
    api: Api, deployment: Deployment, tmp_path: Path
) -> None:
    first, second = archive_two_versions(api)
    document_id = first["document_id"]
    receipt_before = receipt_of(api, second)

    assert withdraw(api, document_id, "").status_code == 422  # a reason is required
    refused = api.client.post(
        f"/v1/documents/{document_id}/withdrawal",
        json={"reason": "a court order"},
        headers=api.auth(Role.ARCHIVIST),
    )
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    made = withdraw(api, document_id, "court order 2026/17")
    assert made.status_code == 201, made.text
    withdrawal = made.json()
    assert withdrawal["version"] is None and withdrawal["withdrawn_by"] == "test-admin"
    assert withdraw(api, document_id, "again").status_code == 409
    leaf = logged(api, withdrawal["log_index"])
    assert leaf["type"] == "document.withdrawn" and leaf["document_id"] == document_id
    assert leaf["reason"] == "court order 2026/17" and leaf["version"] is None

    # A reader gets 410, reason and date, on every route serving the bytes (the web pages' too).
    api.client.cookies.clear()
    for version in (first, second):
        for method, path in content_routes(version):
            for role in (Role.READER, Role.AUDITOR, Role.ARCHIVIST):
                answer = request(api, method, path, role)
                if path.startswith("/ui/"):
                    assert answer.status_code in (303, 410), (path, answer.status_code)
                    continue
                assert answer.status_code == 410, (method, path, role, answer.status_code, answer.text)
                if method != "HEAD":
                    problem = answer.json()
                    assert answer.headers["content-type"] == PROBLEM
                    assert problem["reason"] == "court order 2026/17", problem
                    assert problem["withdrawn_at"] == withdrawal["withdrawn_at"].replace("Z", "+00:00")
    # The record, its history and its receipts stay; the receipt still verifies offline.
    for version in (first, second):
        for path in record_routes(version):
            assert api.get(path).status_code == 200, path
    receipt_after = receipt_of(api, second)
    assert receipt_after["entry"] == receipt_before["entry"]
    env = deployment_env(deployment)
    key = tmp_path / "log.vkey"
    key.write_text(api.get("/v1/log/key").text)
    for receipt in (receipt_before, receipt_after):
        checked = verify_receipt(tmp_path, env, receipt, key)
        assert checked.returncode == 0 and "inclusion ok" in checked.stdout, checked.stderr
    # Searches show readers nothing of it; the admin still finds it.
    found = api.get("/v1/search", params={"q": "corrected"}).json()
    assert [r["document_id"] for r in found["results"]] == []
    as_admin = api.get("/v1/search", params={"q": "corrected"}, role=Role.ADMIN).json()
    assert [r["document_id"] for r in as_admin["results"]] == [document_id]

    # An admin still gets the bytes.
    assert request(api, "GET", f"/v1/documents/{document_id}/content", Role.ADMIN).content == SECOND
    assert request(api, "GET", f"/v1/blobs/{first['blake3']}", Role.ADMIN).content == FIRST

    # Reversed (admin only, with a reason): served again, and the reversal is a leaf naming the withdrawal.
    path = f"/v1/documents/{document_id}/withdrawal"

    def reverse(role: Role, **params: str) -> httpx2.Response:
        return api.client.delete(path, params=params, headers=api.auth(role))

    assert reverse(Role.ADMIN).status_code == 422  # no reason
    assert reverse(Role.ARCHIVIST, reason="x").status_code == 403
    reversed_ = reverse(Role.ADMIN, reason="order lifted")
    assert reversed_.status_code == 200, reversed_.text
    leaf = logged(api, reversed_.json()["reversal_log_index"])
    assert leaf["type"] == "withdrawal.reversed" and leaf["withdrawal_index"] == withdrawal["log_index"]
    assert reverse(Role.ADMIN, reason="again").status_code == 404
    assert api.get(f"/v1/documents/{document_id}/content").content == SECOND
    assert api.get(f"/v1/documents/{document_id}/versions/1/content").content == FIRST
    record = api.get(f"/v1/documents/{document_id}/governance", role=Role.ADMIN).json()
    assert [w["reversal_reason"] for w in record["withdrawals"]] == ["order lifted"]


def test_a_withdrawn_version_leaves_the_others_served(api: Api) -> None:
    first, second = archive_two_versions(api)
    document_id = first["document_id"]
    made = withdraw(api, document_id, "names a minor", version=1)
    assert made.status_code == 201, made.text
    assert withdraw(api, document_id, "no such version", version=9).status_code == 404

    base = f"/v1/documents/{document_id}"
    gone = api.get(f"{base}/versions/1/content")
    assert gone.status_code == 410 and gone.json()["version"] == 1
    assert api.get(f"{base}/versions/1/text").status_code == 410
    assert api.get(f"/v1/blobs/{first['blake3']}").status_code == 410
    assert api.get(f"{base}/diff", params={"from": "1", "to": "2"}).status_code == 410
    assert api.get(f"{base}/export").status_code == 410  # an export holds every version
    assert api.get(f"{base}/versions/2/content").content == SECOND
    assert api.get(f"{base}/content").content == SECOND
    assert api.get(f"/v1/blobs/{second['blake3']}").content == SECOND
    # The TimeMap lists the versions still served; the TimeGate never leads to the withdrawn one.
    timemap = api.get(f"{base}/timemap").text
    assert f"{base}/versions/2/content" in timemap and f"{base}/versions/1/content" not in timemap
    early = api.get(
        f"{base}/timegate",
        headers={"Accept-Datetime": "Thu, 01 Jan 2015 00:00:00 GMT"},
        follow_redirects=False,
    )
    assert early.status_code == 302 and early.headers["location"].endswith("/versions/2/content")
    # The version's record stays and says why its bytes are withheld; the admin's view tells the withdrawal.
    record_v1 = api.get(f"{base}/versions/1").json()
    assert record_v1["blake3"] == first["blake3"]
    withheld = {"state": "withdrawn", "reason": "names a minor", "log_index": made.json()["log_index"]}
    assert record_v1["withheld"].items() >= withheld.items()
    listed = api.get(f"{base}/versions").json()["versions"]
    assert [v["withheld"] is None for v in listed] == [False, True]
    assert api.get(base).json()["latest"]["withheld"] is None
    record = api.get(f"{base}/governance", role=Role.ADMIN).json()
    assert [(w["version"], w["reason"]) for w in record["withdrawals"]] == [(1, "names a minor")]
    assert api.get(f"{base}/governance").status_code == 403

    # The list's text search reads only the texts the caller may have: the withdrawn one's words find
    # nothing below admin, the served one's still find the document.
    def by_text(words: str, role: Role = Role.READER) -> list[str]:
        found = api.get("/v1/documents", params={"text": words}, role=role).json()["documents"]
        return [document["id"] for document in found]

    assert by_text("names someone") == []
    assert by_text("names someone", Role.ADMIN) == [document_id]
    assert by_text("second text") == [document_id]


def test_bytes_shared_with_a_served_version_stay_served(api: Api) -> None:
    first = api.upload(FIRST, metadata={"title": "One"}).json()
    other = api.upload(FIRST, metadata={"title": "The same bytes, another document"}).json()
    assert other["document_id"] != first["document_id"] and other["blake3"] == first["blake3"]
    assert withdraw(api, first["document_id"], "taken down").status_code == 201
    assert api.get(f"/v1/documents/{first['document_id']}/content").status_code == 410
    assert api.get(f"/v1/blobs/{first['blake3']}").content == FIRST  # the other document still serves them
    assert withdraw(api, other["document_id"], "taken down too").status_code == 201
    assert api.get(f"/v1/blobs/{first['blake3']}").status_code == 410


def test_the_web_pages_show_the_record_and_refuse_the_bytes(api: Api) -> None:
    first, _ = archive_two_versions(api)
    document_id = first["document_id"]
    assert withdraw(api, document_id, "court order 2026/18").status_code == 201
    api.client.cookies.clear()
    log_in(api, Role.READER)
    page = api.client.get(f"/ui/documents/{document_id}")
    assert page.status_code == 200
    assert "court order 2026/18" in page.text and "second text" not in page.text
    download = api.client.get(f"/ui/documents/{document_id}/versions/2/download")
    assert download.status_code == 410 and "court order 2026/18" in download.text
    assert api.client.get(f"/ui/documents/{document_id}/diff?from=1&to=2").status_code == 410


def test_the_command_line_withdraws_holds_and_purges(
    api: Api, deployment: Deployment, tmp_path: Path
) -> None:
    first, _ = archive_two_versions(api)
    document_id = first["document_id"]
    env = deployment_env(deployment)

    def archive(*args: str) -> subprocess.CompletedProcess[str]:
        return run_archive(tmp_path, *args, **env)

    withdrawn = archive("withdraw", document_id, "--reason", "court order", "--version", "1")
    assert withdrawn.returncode == 0 and "withdrawn (leaf" in withdrawn.stdout, withdrawn.stderr
    assert api.get(f"/v1/documents/{document_id}/versions/1/content").status_code == 410
    reversed_ = archive("withdraw", document_id, "--reason", "lifted", "--version", "1", "--reverse")
    assert reversed_.returncode == 0, reversed_.stderr
    assert api.get(f"/v1/documents/{document_id}/versions/1/content").content == FIRST

    assert archive("hold", document_id, "--reason", "litigation").returncode == 0
    held = archive("purge", document_id, "--reason", "law", "--confirm", document_id)
    assert held.returncode != 0 and "legal hold" in held.stderr and held.stderr.count("\n") == 1
    assert archive("hold", document_id, "--reason", "settled", "--release").returncode == 0
    unconfirmed = archive("purge", document_id, "--reason", "law", "--confirm", "nope")
    assert unconfirmed.returncode != 0 and "confirm" in unconfirmed.stderr
    purged = archive("purge", document_id, "--reason", "law", "--confirm", document_id)
    assert purged.returncode == 0, purged.stderr
    assert first["blake3"] in purged.stdout
    assert api.get(f"/v1/documents/{document_id}/content", role=Role.ADMIN).status_code == 410
    types = [e["type"] for e in (logged(api, i) for i in range(first["log_index"], log_size(api)))]
    expected = [
        "document.withdrawn",
        "withdrawal.reversed",
        "hold.placed",
        "hold.released",
        "document.purged",
    ]
    assert [t for t in types if t in expected] == expected


def log_size(api: Api) -> int:
    checkpoint = api.get("/v1/log/checkpoint").text
    return int(checkpoint.splitlines()[1])
