"""Purges and legal holds, on both deployments with a replica: a purge removes bytes no other version uses
from both copies, leaves a tombstone and a leaf with their digests, and is reported as purged (never as
missing) by fixity checks and audits; a held document cannot be purged and gc never removes its blobs."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2

from archive.jobs.gc import collect_garbage
from archive.ledger import parse_entry
from archive.roles import Role
from archive.services import governance
from archive.services.fixity import measure as measured
from archive.storage import BlobStore
from tests.conftest import Deployment
from tests.e2e.conftest import Api
from tests.e2e.server import run_archive
from tests.e2e.test_audits_api import wait_until_done
from tests.e2e.test_key_rotation import deployment_env
from tests.e2e.test_replica import (
    Replicated,
    damage,
    digests_of,
    replicated_fixture,  # noqa: F401  (the fixture `replicated`)
    wait_for_replicas,
)

FIRST = b"A photo agency's picture, first version\n"
SHARED = b"Bytes two documents hold\n"


def post(api: Api, path: str, body: dict[str, Any], role: Role = Role.ADMIN) -> httpx2.Response:
    return api.client.post(path, json=body, headers=api.auth(role))


def leaf(api: Api, index: int) -> dict[str, Any]:
    return parse_entry(api.get(f"/v1/log/entries/{index}").json()["entry"].encode())


def stored(store: BlobStore, version: dict[str, Any]) -> str:
    return measured(store, digests_of(version)).status


def test_a_purge_removes_unshared_bytes_from_both_copies_behind_a_hold(
    replicated: Replicated, deployment: Deployment, tmp_path: Path
) -> None:
    api, replica = replicated.api, replicated.replica
    first = api.upload(FIRST, metadata={"title": "Purged"}).json()
    document_id = first["document_id"]
    second = api.client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("b.txt", SHARED, "text/plain")},
        headers=api.auth(),
    ).json()
    other = api.upload(SHARED, metadata={"title": "Kept"}).json()
    assert other["document_id"] != document_id and other["blake3"] == second["blake3"]
    wait_for_replicas(deployment, [first["blake3"], second["blake3"]])
    purge_path = f"/v1/documents/{document_id}/purge"

    # The second confirmation, the role and the reason are all required.
    assert post(api, purge_path, {"reason": "court order"}).status_code == 422
    unconfirmed = post(api, purge_path, {"reason": "court order", "confirm": other["document_id"]})
    assert unconfirmed.status_code == 422 and unconfirmed.json()["field"] == "confirm"
    assert post(api, purge_path, {"reason": "x", "confirm": document_id}, Role.ARCHIVIST).status_code == 403

    # Held: the purge is refused with the hold's reason, and gc removes nothing of it.
    held = api.client.put(
        f"/v1/documents/{document_id}/hold", json={"reason": "litigation 42"}, headers=api.auth(Role.ADMIN)
    )
    assert held.status_code == 200 and held.json()["hold"]["reason"] == "litigation 42"
    refused = post(api, purge_path, {"reason": "court order", "confirm": document_id})
    assert refused.status_code == 409 and "legal hold" in refused.json()["detail"]
    assert refused.json()["hold_reason"] == "litigation 42"
    collect_garbage(deployment.uow, grace=timedelta(0))
    assert stored(deployment.store, first) == "ok"
    released = api.client.delete(
        f"/v1/documents/{document_id}/hold", params={"reason": "settled"}, headers=api.auth(Role.ADMIN)
    )
    assert released.status_code == 200 and released.json()["hold"] is None
    record = api.get(f"/v1/documents/{document_id}/governance", role=Role.ADMIN).json()
    assert record["hold"] is None

    purged = post(api, purge_path, {"reason": "court order", "confirm": document_id})
    assert purged.status_code == 200, purged.text
    body = purged.json()
    # Only the bytes no other version uses went, from both copies; the shared ones stay in both.
    assert [d["blake3"] for d in body["removed"]] == [first["blake3"]]
    entry = leaf(api, body["log_index"])
    assert entry["type"] == "document.purged" and entry["removed"] == [digests_of(first).__dict__]
    assert stored(deployment.store, first) == stored(replica, first) == "missing"
    assert stored(deployment.store, second) == stored(replica, second) == "ok"
    assert post(api, purge_path, {"reason": "again", "confirm": document_id}).status_code == 409

    # Gone for everyone, admins too, with the purge's reason; the other document's bytes are served.
    for role in (Role.READER, Role.ADMIN):
        for path in (
            f"/v1/documents/{document_id}/versions/1/content",
            f"/v1/documents/{document_id}/content",
            f"/v1/blobs/{first['blake3']}",
            f"/v1/documents/{document_id}/export",
        ):
            gone = api.get(path, role=role)
            assert gone.status_code == 410 and gone.json()["title"] == "Purged", (path, role, gone.text)
            assert gone.json()["reason"] == "court order"
    assert api.get(f"/v1/blobs/{second['blake3']}").content == SHARED
    assert api.get(f"/v1/documents/{other['document_id']}/content").content == SHARED
    # The record and every receipt stay.
    kept = api.get(f"/v1/documents/{document_id}/versions/1").json()
    assert kept["blake3"] == first["blake3"] and kept["withheld"]["state"] == "purged"
    assert api.get(f"/v1/documents/{document_id}/versions/1/receipt").status_code == 200

    # Fixity and audits report the purged blob as purged, not as missing.
    checked = api.client.post(f"/v1/blobs/{first['blake3']}/fixity", headers=api.auth(Role.AUDITOR))
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "purged" and checked.json()["log_index"] == body["log_index"]
    audit = api.client.post("/v1/audits", headers=api.auth(Role.AUDITOR))
    report = wait_until_done(api, audit.json()["id"])
    assert report["counts"]["purged"] == 1, report
    assert report["counts"]["missing"] == report["counts"]["corrupt"] == 0, report
    assert stored(replica, first) == "missing"  # no audit "repairs" a purge from the other copy
    # The restore drill rebuilds from the replica without counting the purged blob as lost.
    env = {**deployment_env(deployment), "ARCHIVE_REPLICA_URL": replicated.url}
    drilled = run_archive(tmp_path, "restore-drill", "--json", **env)
    assert drilled.returncode == 0, drilled.stdout + drilled.stderr
    report = json.loads(drilled.stdout)
    assert report["ok"] is True and report["blobs"] == report["blobs_verified"] == 1  # the shared one


def test_the_fixity_route_checks_and_repairs_the_replica_copy(
    replicated: Replicated, deployment: Deployment
) -> None:
    api, replica = replicated.api, replicated.replica
    version = api.upload(b"checked in both copies\n").json()
    wait_for_replicas(deployment, [version["blake3"]])
    path = f"/v1/blobs/{version['blake3']}/fixity"
    intact = api.client.post(path, headers=api.auth(Role.AUDITOR)).json()
    assert (intact["status"], intact["replica"], intact["repaired"]) == ("ok", "ok", None)
    damage(replica, version["blake3"], b"X" * version["size"])
    repaired = api.client.post(path, headers=api.auth(Role.AUDITOR)).json()
    assert (repaired["status"], repaired["replica"], repaired["repaired"]) == ("ok", "ok", "replica")
    assert leaf(api, repaired["repair_log_index"])["type"] == "blob.repaired"
    assert stored(replica, version) == "ok"


def test_gc_finishes_an_interrupted_purge_but_never_while_held(api: Api, deployment: Deployment) -> None:
    version = api.upload(b"purged, then the process stopped\n").json()
    document_id = version["document_id"]
    uow = deployment.uow()
    with uow.writing():  # the purge committed, its bytes not yet removed (as after a crash)
        governance.purge(uow, document_id, version=None, reason="order", confirm=document_id, actor="t")
    with uow.writing():
        governance.set_hold(uow, document_id, placed=True, reason="appeal", actor="t")
    report = collect_garbage(deployment.uow, grace=timedelta(0))
    assert report.purged_removed == 0 and stored(deployment.store, version) == "ok"
    with uow.writing():
        governance.set_hold(uow, document_id, placed=False, reason="appeal lost", actor="t")
    report = collect_garbage(deployment.uow, grace=timedelta(0))
    assert report.purged_removed == 1 and stored(deployment.store, version) == "missing"
    assert report.deleted == 0  # the blob's row stays: it was not an orphan


def test_bytes_archived_again_after_a_purge_are_served_for_the_new_version(api: Api) -> None:
    version = api.upload(FIRST, metadata={"title": "Purged, then archived anew"}).json()
    document_id = version["document_id"]
    purge = {"reason": "order", "confirm": document_id}
    assert post(api, f"/v1/documents/{document_id}/purge", purge).status_code == 200
    assert api.get(f"/v1/blobs/{version['blake3']}").status_code == 410
    again = api.upload(FIRST, metadata={"title": "Archived anew by someone else"}).json()
    assert again["document_id"] != document_id and again["blake3"] == version["blake3"]
    assert api.get(f"/v1/blobs/{version['blake3']}").content == FIRST
    assert api.get(f"/v1/documents/{again['document_id']}/content").content == FIRST
    assert api.get(f"/v1/documents/{document_id}/content", role=Role.ADMIN).status_code == 410
    checked = api.client.post(f"/v1/blobs/{version['blake3']}/fixity", headers=api.auth(Role.AUDITOR))
    assert checked.json()["status"] == "ok"
    # A correction of the purged document would reuse bytes it no longer has: refused.
    corrected = api.client.post(
        f"/v1/documents/{document_id}/versions", json={"title": "x"}, headers=api.auth(Role.ADMIN)
    )
    assert corrected.status_code == 410 and corrected.json()["title"] == "Purged"
