"""A second copy of every blob: made by a job after the blob is archived, checked by audits, each bad copy
repaired from the good one and the repair logged; on both deployments (a folder replica for the embedded
one, a second S3 bucket for production)."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from archive.config import Settings
from archive.db.models import FixityCheck
from archive.db.replica_models import BlobReplica
from archive.digests import Digests, digest_bytes, spool_stream
from archive.ledger import parse_entry
from archive.roles import Role
from archive.services.fixity import measure
from archive.services.ingest import Upload
from archive.services.job_queue import RecordingQueue
from archive.services.metadata import SuppliedMetadata
from archive.services.replication import REPLICATE_TASK, replicate_blob, requeue_replication
from archive.services.signing import LogSigner
from archive.services.unit_of_work import FixedAdapters, SqlUnitOfWork
from archive.services.uploads import archive_upload
from archive.storage import BlobStore, FilesystemBlobStore, blob_key, open_replica_store
from archive.storage.s3 import S3BlobStore
from tests.conftest import Deployment, InlineExtractor, new_bucket
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive
from tests.e2e.test_audits_api import upload_documents, wait_until_done
from tests.e2e.test_key_rotation import deployment_env

REPLICATION_TIMEOUT_SECONDS = 60


def replica_url(deployment: Deployment, tmp_path: Path) -> str:
    if deployment.name == "embedded":
        return f"file://{tmp_path / 'replica'}"
    endpoint = deployment.settings.s3_endpoint_url
    assert endpoint is not None
    return f"s3://{new_bucket(endpoint)}/copy"


@dataclass
class Replicated:
    api: Api
    replica: BlobStore
    url: str


@pytest.fixture(name="replicated")
def replicated_fixture(deployment: Deployment, tmp_path: Path) -> Iterator[Replicated]:
    url = replica_url(deployment, tmp_path)
    with running_api(deployment, replica_url=url) as api:
        replica = open_replica_store(Settings(**{**_plain(deployment.settings), "replica_url": url}))
        assert replica is not None
        yield Replicated(api, replica, url)


def _plain(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in Settings.model_fields}


def replica_rows(deployment: Deployment) -> dict[str, BlobReplica]:
    with deployment.uow().reading() as uow:
        return {row.blake3: row for row in uow.session.scalars(select(BlobReplica))}


def wait_for_replicas(deployment: Deployment, blobs: list[str]) -> None:
    deadline = time.monotonic() + REPLICATION_TIMEOUT_SECONDS
    while not all(replica_rows(deployment).get(b) is not None for b in blobs):
        assert time.monotonic() < deadline, f"not replicated: {replica_rows(deployment)}"
        time.sleep(0.05)


def damage(store: BlobStore, blake3: str, data: bytes | None) -> None:
    """Change or remove a stored copy behind the archive's back (`data` None: remove it)."""
    if data is None:
        store.delete(blake3)
    elif isinstance(store, FilesystemBlobStore):
        path = store.root / blob_key(blake3)
        path.chmod(0o644)  # blobs are stored read-only
        path.write_bytes(data)
    else:
        assert isinstance(store, S3BlobStore)
        store.client.put_object(Bucket=store.bucket, Key=store.key(blake3), Body=data)


def digests_of(version: dict[str, Any]) -> Digests:
    return Digests(version["blake3"], version["sha256"], version["size"])


def test_blobs_are_replicated_and_audits_repair_either_copy(
    replicated: Replicated, deployment: Deployment
) -> None:
    api, replica = replicated.api, replicated.replica
    versions = upload_documents(api, 4)
    blobs = [v["blake3"] for v in versions]
    wait_for_replicas(deployment, blobs)
    assert all(row.status == "ok" and row.copied_at is not None for row in replica_rows(deployment).values())
    for version in versions:
        assert measure(replica, digests_of(version)).status == "ok"

    assert api.client.get("/readyz").json()["checks"]["replica"] == "ok"
    lost_in_replica, rotten_in_primary, rotten_in_replica, intact = versions
    damage(replica, lost_in_replica["blake3"], None)
    damage(deployment.store, rotten_in_primary["blake3"], b"X" * rotten_in_primary["size"])
    damage(replica, rotten_in_replica["blake3"], b"Y" * rotten_in_replica["size"])

    started = api.client.post("/v1/audits", headers=api.auth(Role.AUDITOR))
    assert started.status_code == 202, started.text
    report = wait_until_done(api, started.json()["id"])
    assert report["counts"]["ok"] == 4 and report["total"] == 4

    for version in versions:  # both copies hold the archived bytes again
        assert measure(deployment.store, digests_of(version)).status == "ok"
        assert measure(replica, digests_of(version)).status == "ok"
    rows = replica_rows(deployment)
    assert {rows[b].status for b in blobs} == {"ok"}

    repairs = logged(api, "blob.repaired")
    by_blob = {event["blake3"]: event for event in repairs}
    assert len(repairs) == 3 and intact["blake3"] not in by_blob
    assert by_blob[lost_in_replica["blake3"]]["copy"] == "replica"
    assert by_blob[lost_in_replica["blake3"]]["found"] == "missing"
    assert by_blob[rotten_in_replica["blake3"]]["copy"] == "replica"
    primary = by_blob[rotten_in_primary["blake3"]]
    assert (primary["copy"], primary["source"]) == ("primary", "replica")
    written = digest_bytes(b"X" * rotten_in_primary["size"])
    assert primary["found"] == {"blake3": written.blake3, "sha256": written.sha256, "size": written.size}
    # The primary's finding is recorded as every fixity failure is, then the check after the repair.
    failures = logged(api, "fixity.failed")
    assert [event["blake3"] for event in failures] == [rotten_in_primary["blake3"]]
    with deployment.uow().reading() as uow:
        checks = uow.session.scalars(
            select(FixityCheck.status)
            .where(FixityCheck.blob_blake3 == rotten_in_primary["blake3"])
            .order_by(FixityCheck.id)
        ).all()
    assert list(checks) == ["corrupt", "ok"]
    served = api.get(f"/v1/documents/{rotten_in_primary['document_id']}/content")
    assert served.status_code == 200 and digest_bytes(served.content) == digests_of(rotten_in_primary)


def logged(api: Api, event_type: str) -> list[dict[str, Any]]:
    checkpoint = api.get("/v1/log/checkpoint").text
    size = int(checkpoint.split("\n")[1])
    events = [parse_entry(api.get(f"/v1/log/entries/{i}").json()["entry"].encode()) for i in range(size)]
    return [event for event in events if event["type"] == event_type]


def test_a_replica_naming_the_primary_storage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ARCHIVE_REPLICA_URL names the primary storage"):
        Settings(storage_url=f"file://{tmp_path}/blobs", replica_url=f"file://{tmp_path}/./blobs")
    with pytest.raises(ValueError, match="ARCHIVE_REPLICA_URL: unsupported scheme"):
        Settings(storage_url=f"file://{tmp_path}/blobs", replica_url="ftp://elsewhere/blobs")
    bucket = f"b-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ValueError, match="names the primary"):
        Settings(storage_url=f"s3://{bucket}/a", replica_url=f"s3://{bucket}/a")
    assert Settings(storage_url=f"s3://{bucket}/a", replica_url=f"s3://{bucket}/b").replica_url


def test_the_restore_drill_rebuilds_the_archive_from_the_replica_and_a_backup(
    replicated: Replicated, deployment: Deployment, tmp_path: Path
) -> None:
    versions = upload_documents(replicated.api, 3)
    wait_for_replicas(deployment, [v["blake3"] for v in versions])
    env = {**deployment_env(deployment), "ARCHIVE_REPLICA_URL": replicated.url}
    work = tmp_path / "drill"
    work.mkdir()

    drilled = run_archive(tmp_path, "restore-drill", "--work-dir", str(work), "--json", **env)
    assert drilled.returncode == 0, drilled.stderr
    report = json.loads(drilled.stdout)
    assert report["ok"] is True
    assert (report["documents"], report["versions"]) == (3, 3)
    assert report["blobs"] == report["blobs_verified"] == 3
    assert report["bytes_verified"] == sum(v["size"] for v in versions)
    assert report["log_size"] >= 3 + 4 and report["log_problem"] is None  # four keys, three versions
    assert report["backup"].startswith("sqlite3" if deployment.name == "embedded" else "pg_dump")
    assert list(work.iterdir()) == []  # the backup and the scratch database are gone

    # A backup made earlier (an operator's nightly one) is drilled as it is: what came later is not in it.
    earlier = operator_backup(deployment, tmp_path)
    later = replicated.api.upload(b"archived after the nightly backup\n").json()
    wait_for_replicas(deployment, [later["blake3"]])
    given = run_archive(tmp_path, "restore-drill", "--backup", str(earlier), "--json", **env)
    assert given.returncode == 0, given.stderr
    from_backup = json.loads(given.stdout)
    assert (from_backup["documents"], from_backup["blobs_verified"]) == (3, 3)
    assert from_backup["backup"].startswith(f"the backup {earlier}")
    assert earlier.exists()

    replicated.replica.delete(versions[1]["blake3"])
    failed = run_archive(tmp_path, "restore-drill", "--work-dir", str(work), **env)
    assert failed.returncode == 1
    assert f"missing: {versions[1]['blake3']}" in failed.stdout and "3 of 4 blobs" in failed.stdout
    assert "could not be rebuilt" in failed.stderr
    if deployment.name == "production":
        assert not scratch_databases(deployment.settings.database_url)

    no_replica = run_archive(tmp_path, "restore-drill", **deployment_env(deployment))
    assert no_replica.returncode == 1 and "ARCHIVE_REPLICA_URL" in no_replica.stderr


def operator_backup(deployment: Deployment, tmp_path: Path) -> Path:
    """A backup made with the database's own tools, outside the archive."""
    url = make_url(deployment.settings.database_url)
    if deployment.name == "embedded":
        target = tmp_path / "nightly.db"
        with closing(sqlite3.connect(str(url.database))) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
        return target
    target = tmp_path / "nightly.dump"
    dumped = subprocess.run(
        ["pg_dump", "--format=custom", f"--file={target}", f"--dbname={deployment.settings.database_url}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert dumped.returncode == 0, dumped.stderr
    return target


def scratch_databases(database_url: str) -> list[str]:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{name}_drill_%",)
        ).fetchall()
    return [row[0] for row in rows]


def test_blobs_archived_without_a_job_runner_are_queued_and_copied_later(
    deployment: Deployment, tmp_path: Path
) -> None:
    """`archive ingest` and servers that run no jobs queue the copy nowhere: the blob's missing row is what
    the periodic requeue takes up (no server runs here, so nothing else copies it meanwhile)."""
    url = replica_url(deployment, tmp_path)
    replica = open_replica_store(Settings(**{**_plain(deployment.settings), "replica_url": url}))
    assert replica is not None
    queue = RecordingQueue()
    settings = deployment.settings
    signer = LogSigner.load_or_create(settings.log_origin, settings.signing_key_file)
    adapters = FixedAdapters(deployment.store, InlineExtractor(), signer, replica=replica, jobs=queue)
    uow = SqlUnitOfWork(deployment.db, adapters)
    data = b"archived by a command that runs no jobs\n"
    archive_upload(uow, upload_of(data), once=None, render=lambda version: {"blake3": version.blob_blake3})
    blake3 = digest_bytes(data).blake3
    assert [(d.task, d.arguments) for d in queue.deferred] == [(REPLICATE_TASK, {"blake3": blake3})]
    assert blake3 not in replica_rows(deployment)

    assert requeue_replication(uow) == 1 and len(queue.deferred) == 2  # its row is missing: queued again
    assert replicate_blob(uow, blake3) == "ok"
    assert measure(replica, digest_bytes(data)).status == "ok"
    assert replica_rows(deployment)[blake3].status == "ok"
    assert requeue_replication(uow) == 0
    replica.delete(blake3)
    assert replicate_blob(uow, blake3) == "ok"  # a copy found gone is made again


def upload_of(data: bytes) -> Upload:
    return Upload(
        file=spool_stream(io.BytesIO(data), None),
        media_type="text/plain; charset=utf-8",
        filename="note.txt",
        metadata=SuppliedMetadata.model_validate({}),
        actor="cli:test",
        document_id=None,
    )


def test_a_replica_that_is_down_fails_neither_readiness_nor_uploads_nor_audits(
    deployment: Deployment, tmp_path: Path
) -> None:
    """Uploads do not wait for the replica (its copies are made later and audits repair them), so a replica
    that cannot be written is reported, not taken for the service being down."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the replica's folder should be")
    with running_api(deployment, replica_url=f"file://{blocked}") as api:
        ready = api.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["replica"].startswith("unavailable: ")
        assert api.upload(b"archived while the replica is down\n").status_code == 201
        # An audit is not held up by it either: the primary copies are checked, the replica's next time.
        started = api.client.post("/v1/audits", headers=api.auth(Role.AUDITOR))
        report = wait_until_done(api, started.json()["id"])
        assert report["counts"]["ok"] == report["total"] == 1
