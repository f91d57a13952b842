"""Fixity and audits as an auditor drives them: the API on both deployments, shared sweeps, the CLI."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from archive.api.app import create_app
from archive.db.models import Blob, FixityCheck
from archive.db.session import Database
from archive.digests import digest_bytes
from archive.jobs.audit import sweep_audit
from archive.roles import Role
from archive.services.audit import get_audit_report, start_audit
from archive.services.keys import create_key
from archive.storage import BlobStore, ByteRange, MemoryBlobStore
from tests.conftest import Deployment, embedded_deployment, production_deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive
from tests.integration.test_fixity import corrupt_stored_blob, put_blob

AUDIT_TIMEOUT_SECONDS = 60


def upload_documents(api: Api, count: int) -> list[dict[str, Any]]:
    versions = []
    for number in range(count):
        created = api.upload(f"Audited document {number}\n\nIts body, number {number}.\n".encode())
        assert created.status_code == 201, created.text
        versions.append(created.json())
    return versions


def check_fixity(api: Api, blake3: str, role: Role = Role.AUDITOR) -> Any:
    return api.client.post(f"/v1/blobs/{blake3}/fixity", headers=api.auth(role))


def wait_until_done(api: Api, audit_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + AUDIT_TIMEOUT_SECONDS
    while True:
        report = api.get(f"/v1/audits/{audit_id}", role=Role.AUDITOR)
        assert report.status_code == 200, report.text
        if report.json()["status"] == "done":
            return dict(report.json())
        assert time.monotonic() < deadline, f"the audit did not finish: {report.json()}"
        time.sleep(0.05)


def test_the_fixity_route_checks_records_and_refuses(api: Api) -> None:
    [good, rotted, lost] = upload_documents(api, 3)

    ok = check_fixity(api, good["blake3"])
    assert ok.status_code == 200, ok.text
    body = ok.json()
    expected = {"blake3": good["blake3"], "sha256": good["sha256"], "size": good["size"]}
    assert body["status"] == "ok"
    assert body["expected"] == body["found"] == expected
    assert body["checked_by"] == "test-auditor"
    assert body["log_index"] is None
    assert body["checked_at"]

    assert check_fixity(api, good["blake3"], Role.READER).status_code == 403
    assert api.client.post(f"/v1/blobs/{good['blake3']}/fixity").status_code == 401
    assert check_fixity(api, good["blake3"], Role.ARCHIVIST).status_code == 200, "higher roles include it"
    unknown = check_fixity(api, "0" * 64)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    for malformed in ("xyz", "A" * 64, "0" * 63):
        assert check_fixity(api, malformed).status_code == 422

    corrupt_stored_blob(api.deployment, rotted["blake3"], b"some other bytes altogether")
    corrupt = check_fixity(api, rotted["blake3"]).json()
    assert corrupt["status"] == "corrupt"
    assert corrupt["found"]["blake3"] == digest_bytes(b"some other bytes altogether").blake3
    assert isinstance(corrupt["log_index"], int)
    leaf = api.get(f"/v1/log/entries/{corrupt['log_index']}").json()
    event = json.loads(leaf["entry"])
    assert (event["type"], event["blake3"], event["found"]["blake3"]) == (
        "fixity.failed",
        rotted["blake3"],
        corrupt["found"]["blake3"],
    )

    api.deployment.store.delete(lost["blake3"])
    missing = check_fixity(api, lost["blake3"]).json()
    assert (missing["status"], missing["found"]) == ("missing", None)
    missing_leaf = api.get(f"/v1/log/entries/{missing['log_index']}").json()
    assert json.loads(missing_leaf["entry"])["found"] == "missing"

    for version, status, log_index in (
        (good, "ok", None),
        (rotted, "corrupt", corrupt["log_index"]),
        (lost, "missing", missing["log_index"]),
    ):
        verified = api.client.post(
            "/v1/verify", json={"blake3": version["blake3"]}, headers=api.auth(Role.AUDITOR)
        ).json()
        assert verified["fixity"]["status"] == status
        assert verified["fixity"]["log_index"] == log_index
        assert verified["fixity"]["checked_at"]


def test_fixity_with_storage_unavailable_is_503_and_records_nothing(deployment: Deployment) -> None:
    blake3 = digest_bytes(b"stored, but storage is down").blake3
    with deployment.uow().writing() as uow:
        uow.blobs.ensure(digest_bytes(b"stored, but storage is down"), "text/plain")
        key = create_key(uow, "auditor", Role.AUDITOR)
    down = MemoryBlobStore()
    down.available = False
    app = create_app(deployment.settings, db=deployment.db, store=down)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(f"/v1/blobs/{blake3}/fixity", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    with deployment.uow().writing() as uow:
        assert uow.session.scalar(select(func.count()).select_from(FixityCheck)) == 0
        blob = uow.session.get(Blob, blake3)
        assert blob is not None and blob.fixity_status is None


def test_an_audit_reports_counts_and_failures_and_finishes(api: Api) -> None:
    versions = upload_documents(api, 5)
    rotted, lost = versions[1], versions[3]
    corrupt_stored_blob(api.deployment, rotted["blake3"], b"rotted in storage")
    api.deployment.store.delete(lost["blake3"])

    assert api.client.post("/v1/audits", headers=api.auth(Role.READER)).status_code == 403
    assert api.client.post("/v1/audits").status_code == 401
    started = api.client.post("/v1/audits", headers=api.auth(Role.AUDITOR))
    assert started.status_code == 202, started.text
    audit_id = started.json()["id"]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", audit_id)
    assert started.headers["location"] == started.json()["url"] == f"/v1/audits/{audit_id}"
    assert started.json()["total"] == 5

    report = wait_until_done(api, audit_id)
    assert report["total"] == 5
    assert report["counts"] == {"ok": 3, "corrupt": 1, "missing": 1, "pending": 0, "purged": 0}
    assert report["requested_by"] == "test-auditor"
    assert report["finished_at"] >= report["started_at"]
    failures = {f["blake3"]: f for f in report["failures"]}
    assert {blake3: f["status"] for blake3, f in failures.items()} == {
        rotted["blake3"]: "corrupt",
        lost["blake3"]: "missing",
    }
    assert all(isinstance(f["log_index"], int) and f["checked_at"] for f in failures.values())

    assert api.get(f"/v1/audits/{audit_id}", role=Role.READER).status_code == 403
    assert api.get("/v1/audits/01ARZ3NDEKTSV4RRFFQ69G5FAV", role=Role.AUDITOR).status_code == 404
    assert api.get("/v1/audits/not-an-id", role=Role.AUDITOR).status_code == 422
    verified = api.client.post(
        "/v1/verify", json={"blake3": rotted["blake3"]}, headers=api.auth(Role.AUDITOR)
    ).json()
    assert verified["fixity"]["log_index"] == failures[rotted["blake3"]]["log_index"]


def test_an_audit_left_running_by_a_stopped_server_is_finished_by_the_next(deployment: Deployment) -> None:
    blobs = [put_blob(deployment, f"Kept document {n}\n".encode()) for n in range(4)]
    corrupt_stored_blob(deployment, blobs[2].blake3, b"rotted while nobody looked")
    with deployment.uow().writing() as uow:  # started, then its server stopped before sweeping
        audit_id = start_audit(uow, "night shift").id
    with running_api(deployment) as restarted:
        report = wait_until_done(restarted, audit_id)
    assert report["requested_by"] == "night shift"
    assert report["counts"] == {"ok": 3, "corrupt": 1, "missing": 0, "pending": 0, "purged": 0}
    assert [f["blake3"] for f in report["failures"]] == [blobs[2].blake3]


def test_an_audit_of_an_empty_archive_is_done_at_once(api: Api) -> None:
    started = api.client.post("/v1/audits", headers=api.auth(Role.AUDITOR))
    assert started.status_code == 202
    assert (started.json()["status"], started.json()["total"]) == ("done", 0)
    report = api.get(started.headers["location"], role=Role.AUDITOR).json()
    assert report["counts"] == {"ok": 0, "corrupt": 0, "missing": 0, "pending": 0, "purged": 0}


class RendezvousStore:
    """A store whose first read in each thread waits for the other auditor's first read.

    Both auditors then hold a leased batch at the same moment: with SKIP LOCKED the second leases other rows
    and both go on; were the lease a plain lock, the second would wait for the first forever; were it no
    lock at all, both would check the same blobs.
    """

    def __init__(self, store: BlobStore, parties: int) -> None:
        self.store = store
        self.barrier = threading.Barrier(parties, timeout=30)
        self.local = threading.local()

    def read(self, blake3: str, byte_range: ByteRange | None = None) -> Iterator[bytes]:
        if not getattr(self.local, "met", False):
            self.local.met = True
            self.barrier.wait()
        return self.store.read(blake3, byte_range)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)  # the rest of the protocol, as the real store does it


@pytest.fixture
def production(pg_database: Database, pg_url: str, s3_endpoint: str) -> Deployment:
    return production_deployment(pg_database, pg_url, s3_endpoint)


def test_two_auditors_share_one_sweep_on_postgresql(production: Deployment) -> None:
    blobs = [put_blob(production, f"shared sweep blob {n}".encode()) for n in range(12)]
    with production.uow().writing() as uow:
        audit_id = start_audit(uow, "test-auditor").id
    store = cast(BlobStore, RendezvousStore(production.store, parties=2))
    errors: list[BaseException] = []

    def auditor(name: str) -> None:
        try:
            sweep_audit(lambda: production.uow(store=store), audit_id, actor=name, batch_size=2)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=auditor, args=(f"auditor-{n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(AUDIT_TIMEOUT_SECONDS)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []

    with production.uow().writing() as uow:
        per_blob = dict(
            uow.session.execute(
                select(FixityCheck.blob_blake3, func.count())
                .where(FixityCheck.audit_id == audit_id)
                .group_by(FixityCheck.blob_blake3)
            ).all()
        )
        by_auditor = dict(
            uow.session.execute(
                select(FixityCheck.checked_by, func.count())
                .where(FixityCheck.audit_id == audit_id)
                .group_by(FixityCheck.checked_by)
            ).all()
        )
        report = get_audit_report(uow, audit_id)
    assert per_blob == {blob.blake3: 1 for blob in blobs}, "every blob checked exactly once"
    assert set(by_auditor) == {"auditor-1", "auditor-2"}, "both auditors shared the work"
    assert (report.status, report.counts["ok"], report.counts["pending"]) == ("done", 12, 0)
    assert report.finished_at is not None


def test_archive_audit_prints_a_summary_and_exits_1_on_a_failure(tmp_path: Path) -> None:
    # The same SQLite file and blob folder the `archive` command uses in `tmp_path`.
    deployed = embedded_deployment(tmp_path)
    blobs = [put_blob(deployed, f"audited from the command line {n}".encode()) for n in range(3)]
    deployed.db.dispose()

    clean = run_archive(tmp_path, "audit")
    assert clean.returncode == 0, clean.stderr
    assert re.search(r"^\s*ok\s+3\s*$", clean.stdout, re.MULTILINE), clean.stdout
    assert re.search(r"^\s*corrupt\s+0\s*$", clean.stdout, re.MULTILINE)
    assert re.search(r"^\s*missing\s+0\s*$", clean.stdout, re.MULTILINE)
    assert clean.stderr == ""

    corrupt_stored_blob(deployed, blobs[0].blake3, b"rotted between two audits")
    failed = run_archive(tmp_path, "audit", "--batch", "1")
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1, failed.stderr
    assert "1 of 3 blobs failed fixity (1 corrupt, 0 missing)" in failed.stderr
    assert re.search(r"^\s*corrupt\s+1\s*$", failed.stdout, re.MULTILINE), failed.stdout
    assert blobs[0].blake3 in failed.stdout
    found = re.search(r"audit ([0-9A-HJKMNP-TV-Z]{26}) \(done\)", failed.stdout)
    assert found is not None, failed.stdout

    joined = run_archive(tmp_path, "audit", "--audit", found.group(1))
    assert joined.returncode == 1, "joining a finished audit reports it again"
    assert joined.stdout == failed.stdout

    unknown = run_archive(tmp_path, "audit", "--audit", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert unknown.returncode == 1
    assert "no audit with id" in unknown.stderr
