"""Fixity checks and audits against real storage and a real database, on both deployments."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from archive.db.models import Audit, AuditItem, Blob, FixityCheck
from archive.digests import INDEX_PIECE_BYTES, Digests, digest_bytes, spool_stream
from archive.errors import BlobNotFound, NotFound, StorageUnavailable
from archive.jobs.audit import BatchOutcome, check_next_batch, sweep_audit
from archive.ledger import canonical_entry, fixity_failed
from archive.services.audit import get_audit_report, start_audit
from archive.services.fixity import (
    FixityResult,
    Measurement,
    check_blob,
    measure,
    measure_all,
    record_measurements,
)
from archive.services.ingest import store_blob
from archive.services.log import get_entry
from archive.services.verify import verify_digest
from archive.storage import FilesystemBlobStore, MemoryBlobStore, blob_key
from archive.storage.s3 import S3BlobStore
from tests.conftest import Deployment
from tests.unit.test_digests import piecewise_index

AUDITOR = "carol"


def put_blob(deployment: Deployment, data: bytes) -> Digests:
    """Store bytes and their blob row, as ingest does."""
    upload = spool_stream(io.BytesIO(data), deployment.settings.effective_spool_dir())
    try:
        with deployment.uow().writing() as uow:
            store_blob(uow, upload, "text/plain")
    finally:
        upload.discard()
    return upload.digests


def corrupt_stored_blob(deployment: Deployment, blake3: str, data: bytes) -> None:
    """Replace the stored bytes behind the archive's back, as bit rot or a careless operator would."""
    store = deployment.store
    if isinstance(store, FilesystemBlobStore):
        path = store.root / blob_key(blake3)
        path.chmod(0o644)  # blobs are stored read-only
        path.write_bytes(data)
    elif isinstance(store, S3BlobStore):
        store.client.put_object(Bucket=store.bucket, Key=store.key(blake3), Body=data)
    else:
        raise AssertionError(f"no way to corrupt a {type(store).__name__}")


def check(deployment: Deployment, blake3: str) -> FixityResult:
    with deployment.uow().writing() as uow:
        return check_blob(uow, blake3, actor=AUDITOR)


def logged_entry(deployment: Deployment, index: int) -> bytes:
    with deployment.uow().writing() as uow:
        entry = get_entry(uow, index)
        assert entry.event_type == "fixity.failed"
        return bytes(entry.entry)


def fixity_checks(deployment: Deployment, blake3: str) -> list[FixityCheck]:
    with deployment.uow().writing() as uow:
        return list(
            uow.session.scalars(
                select(FixityCheck).where(FixityCheck.blob_blake3 == blake3).order_by(FixityCheck.id)
            )
        )


def test_a_good_blob_checks_ok(deployment: Deployment) -> None:
    digests = put_blob(deployment, b"a good blob, as archived")
    result = check(deployment, digests.blake3)
    assert result.status == "ok"
    assert result.expected == digests
    assert result.found == digests
    assert result.checked_by == AUDITOR
    assert result.log_index is None

    [recorded] = fixity_checks(deployment, digests.blake3)
    assert (recorded.status, recorded.found_blake3, recorded.found_sha256, recorded.found_size) == (
        "ok",
        digests.blake3,
        digests.sha256,
        digests.size,
    )
    assert recorded.checked_at == result.checked_at
    assert recorded.log_index is None
    with deployment.uow().writing() as uow:
        blob = uow.session.get(Blob, digests.blake3)
        assert blob is not None
        assert (blob.fixity_status, blob.fixity_checked_at) == ("ok", result.checked_at)
        verification = verify_digest(uow, blake3=digests.blake3)
    assert verification.fixity is not None
    assert (verification.fixity.status, verification.fixity.log_index) == ("ok", None)


def test_a_corrupted_blob_is_corrupt_and_logged(deployment: Deployment) -> None:
    digests = put_blob(deployment, b"the bytes as archived")
    corrupt_stored_blob(deployment, digests.blake3, b"the bytes as they rotted")

    result = check(deployment, digests.blake3)
    assert result.status == "corrupt"
    assert result.found == digest_bytes(b"the bytes as they rotted")
    assert result.log_index is not None
    expected_event = fixity_failed(
        expected=digests, found=result.found, time=result.checked_at, actor=AUDITOR
    )
    assert logged_entry(deployment, result.log_index) == canonical_entry(expected_event)

    [recorded] = fixity_checks(deployment, digests.blake3)
    assert (recorded.status, recorded.found_blake3, recorded.log_index) == (
        "corrupt",
        result.found.blake3,
        result.log_index,
    )
    with deployment.uow().writing() as uow:
        blob = uow.session.get(Blob, digests.blake3)
        assert blob is not None and blob.fixity_status == "corrupt"


def test_a_deleted_blob_is_missing_and_logged(deployment: Deployment) -> None:
    digests = put_blob(deployment, b"here today")
    deployment.store.delete(digests.blake3)

    result = check(deployment, digests.blake3)
    assert result.status == "missing"
    assert result.found is None
    assert result.log_index is not None
    expected_event = fixity_failed(expected=digests, found=None, time=result.checked_at, actor=AUDITOR)
    assert logged_entry(deployment, result.log_index) == canonical_entry(expected_event)
    [recorded] = fixity_checks(deployment, digests.blake3)
    assert (recorded.status, recorded.found_blake3, recorded.found_size) == ("missing", None, None)


def test_verify_shows_the_last_check(deployment: Deployment) -> None:
    digests = put_blob(deployment, b"checked twice")
    first = check(deployment, digests.blake3)
    corrupt_stored_blob(deployment, digests.blake3, b"checked twice, but changed")
    second = check(deployment, digests.blake3)
    assert (first.status, second.status) == ("ok", "corrupt")

    with deployment.uow().writing() as uow:
        verification = verify_digest(uow, sha256=digests.sha256)
    assert verification.fixity is not None
    assert verification.fixity.status == "corrupt"
    assert verification.fixity.checked_at == second.checked_at
    assert verification.fixity.log_index == second.log_index is not None
    assert [c.status for c in fixity_checks(deployment, digests.blake3)] == ["ok", "corrupt"]


def test_a_never_checked_blob_has_no_fixity_and_an_unknown_digest_is_not_found(
    deployment: Deployment,
) -> None:
    digests = put_blob(deployment, b"never checked")
    with deployment.uow().writing() as uow:
        assert verify_digest(uow, blake3=digests.blake3).fixity is None
    with pytest.raises(BlobNotFound):
        check(deployment, "0" * 64)


def test_unavailable_storage_is_no_finding(deployment: Deployment) -> None:
    digests = put_blob(deployment, b"stored where storage went away")
    down = MemoryBlobStore()
    down.available = False
    with deployment.uow(store=down).writing() as uow, pytest.raises(StorageUnavailable):
        check_blob(uow, digests.blake3, actor=AUDITOR)
    assert fixity_checks(deployment, digests.blake3) == []
    with deployment.uow().writing() as uow:
        blob = uow.session.get(Blob, digests.blake3)
        assert blob is not None and blob.fixity_status is None


def test_an_audit_checks_every_blob_once_and_finishes_once(deployment: Deployment) -> None:
    blobs = [put_blob(deployment, f"blob number {n}".encode()) for n in range(5)]
    corrupted, deleted = blobs[1], blobs[3]
    corrupt_stored_blob(deployment, corrupted.blake3, b"not what was archived")
    deployment.store.delete(deleted.blake3)
    with deployment.uow().writing() as uow:
        audit_id = start_audit(uow, AUDITOR).id

    checked = sweep_audit(deployment.uow, audit_id, actor=AUDITOR, batch_size=2)
    assert checked == 5

    with deployment.uow().writing() as uow:
        report = get_audit_report(uow, audit_id)
        per_blob = dict(
            uow.session.execute(
                select(FixityCheck.blob_blake3, func.count())
                .where(FixityCheck.audit_id == audit_id)
                .group_by(FixityCheck.blob_blake3)
            ).all()
        )
    assert report.status == "done"
    assert report.finished_at is not None and report.finished_at >= report.started_at
    assert report.total == 5
    assert report.counts == {"ok": 3, "corrupt": 1, "missing": 1, "pending": 0}
    assert {(f.blake3, f.status) for f in report.failures} == {
        (corrupted.blake3, "corrupt"),
        (deleted.blake3, "missing"),
    }
    assert all(f.log_index is not None for f in report.failures)
    assert per_blob == {blob.blake3: 1 for blob in blobs}

    # Sweeping a finished audit again checks nothing and does not finish it twice.
    assert sweep_audit(deployment.uow, audit_id, actor="someone else") == 0
    with deployment.uow().writing() as uow:
        assert get_audit_report(uow, audit_id).finished_at == report.finished_at


def test_an_audit_of_an_empty_archive_is_done_at_once(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        audit = start_audit(uow, AUDITOR)
        assert (audit.status, audit.total) == ("done", 0)
        assert audit.finished_at is not None
    with deployment.uow().writing() as uow, pytest.raises(NotFound):
        get_audit_report(uow, "01ARZ3NDEKTSV4RRFFQ69G5FAV")


def test_a_sweep_that_loses_storage_leaves_its_batch_pending(deployment: Deployment) -> None:
    for n in range(3):
        put_blob(deployment, f"survives an outage {n}".encode())
    with deployment.uow().writing() as uow:
        audit_id = start_audit(uow, AUDITOR).id
    down = MemoryBlobStore()
    down.available = False
    with pytest.raises(StorageUnavailable):
        sweep_audit(lambda: deployment.uow(store=down), audit_id, actor=AUDITOR, batch_size=2)
    with deployment.uow().writing() as uow:
        report = get_audit_report(uow, audit_id)
        assert uow.session.scalar(select(func.count()).where(FixityCheck.audit_id == audit_id)) == 0
    assert (report.status, report.counts["pending"]) == ("running", 3)

    sweep_audit(deployment.uow, audit_id, actor=AUDITOR, batch_size=2)
    with deployment.uow().writing() as uow:
        report = get_audit_report(uow, audit_id)
        statuses = uow.session.scalars(select(AuditItem.status).where(AuditItem.audit_id == audit_id)).all()
        audit = uow.session.get(Audit, audit_id)
        assert audit is not None and audit.status == "done"
    assert report.counts == {"ok": 3, "corrupt": 0, "missing": 0, "pending": 0}
    assert sorted(statuses) == ["ok", "ok", "ok"]


def test_a_batch_of_large_blobs_is_cut_short_by_its_byte_budget(deployment: Deployment) -> None:
    for n in range(3):
        put_blob(deployment, bytes([n]) * 1000)
    with deployment.uow().writing() as uow:
        audit_id = start_audit(uow, AUDITOR).id

    def next_batch(byte_budget: int) -> BatchOutcome:
        return check_next_batch(
            deployment.uow(), audit_id, actor=AUDITOR, batch_size=10, byte_budget=byte_budget
        )

    assert next_batch(2500).checked == 2
    assert next_batch(10).checked == 1, "a blob over the budget is a batch of its own"
    last = next_batch(2500)
    assert (last.checked, last.audit_done) == (0, True)


def test_measuring_in_threads_finds_what_measuring_in_turn_does(deployment: Deployment) -> None:
    sizes = [0, 1, 5000, 300_000, 7, 2_500_000, 64, 64]
    blobs = [put_blob(deployment, bytes([n]) * size) for n, size in enumerate(sizes)]
    corrupt_stored_blob(deployment, blobs[3].blake3, b"shorter now")
    deployment.store.delete(blobs[6].blake3)

    with ThreadPoolExecutor(3) as pool:
        in_threads = measure_all(deployment.store, blobs, pool)
    in_turn = [measure(deployment.store, digests) for digests in blobs]
    assert [m.expected for m in in_threads] == blobs, "in the order given"
    assert [m.found for m in in_threads] == [m.found for m in in_turn]
    assert [m.status for m in in_threads] == ["ok"] * 3 + ["corrupt", "ok", "ok", "missing", "ok"]


def test_a_sweep_in_many_threads_checks_each_blob_once_and_records_it(deployment: Deployment) -> None:
    blobs = [put_blob(deployment, f"threaded sweep {n}".encode() * (n * 997 + 1)) for n in range(9)]
    corrupted, deleted = blobs[2], blobs[7]
    corrupt_stored_blob(deployment, corrupted.blake3, b"rotted while the threads were busy")
    deployment.store.delete(deleted.blake3)
    with deployment.uow().writing() as uow:
        audit_id = start_audit(uow, AUDITOR).id

    checked = sweep_audit(deployment.uow, audit_id, actor=AUDITOR, batch_size=4, workers=3)
    assert checked == 9

    with deployment.uow().writing() as uow:
        report = get_audit_report(uow, audit_id)
        checks = uow.session.scalars(select(FixityCheck).where(FixityCheck.audit_id == audit_id)).all()
        statuses = dict(uow.session.execute(select(Blob.blake3, Blob.fixity_status)).all())
        items = dict(
            uow.session.execute(
                select(AuditItem.blob_blake3, AuditItem.checked_at).where(AuditItem.audit_id == audit_id)
            ).all()
        )
    assert report.counts == {"ok": 7, "corrupt": 1, "missing": 1, "pending": 0}
    assert sorted(check.blob_blake3 for check in checks) == sorted(blob.blake3 for blob in blobs)
    expected = {blob.blake3: "ok" for blob in blobs} | {
        corrupted.blake3: "corrupt",
        deleted.blake3: "missing",
    }
    assert statuses == expected
    by_blob = {check.blob_blake3: check for check in checks}
    assert all(items[blake3] == check.checked_at for blake3, check in by_blob.items())
    assert by_blob[deleted.blake3].found_size is None
    assert (
        by_blob[corrupted.blake3].found_blake3 == digest_bytes(b"rotted while the threads were busy").blake3
    )
    assert by_blob[blobs[0].blake3].found_sha256 == blobs[0].sha256
    assert [f.log_index is not None for f in report.failures] == [True, True]


def test_a_slower_check_never_overwrites_a_later_finding(deployment: Deployment) -> None:
    """An audit batch measured a blob good, then a read found it corrupt and committed first: the blob
    stays marked corrupt, though both checks are kept."""
    digests = put_blob(deployment, b"read while an audit was running")
    corrupt_stored_blob(deployment, digests.blake3, b"rotted")
    found_corrupt = check(deployment, digests.blake3)
    earlier = Measurement(
        expected=digests, found=digests, measured_at=found_corrupt.checked_at - timedelta(seconds=5)
    )
    with deployment.uow().writing() as uow:
        record_measurements(uow, [earlier], actor="slow audit")
    with deployment.uow().writing() as uow:
        blob = uow.session.get(Blob, digests.blake3)
        assert blob is not None and blob.fixity_status == "corrupt"
    assert sorted(c.status for c in fixity_checks(deployment, digests.blake3)) == ["corrupt", "ok"]


def test_a_check_that_finds_a_large_blob_intact_records_its_chunk_index(deployment: Deployment) -> None:
    """Blobs archived before chunk indexes were kept get theirs from the next audit (the check reads the
    whole blob anyway); a blob found corrupt does not."""
    data = bytes(range(256)) * 9000  # over two 1 MiB pieces
    digests = put_blob(deployment, data)
    other = put_blob(deployment, bytes(reversed(data)))
    with deployment.db.engine.begin() as connection:
        connection.execute(text("UPDATE blobs SET chunk_index = NULL"))
    corrupt_stored_blob(deployment, other.blake3, data)
    assert check(deployment, digests.blake3).status == "ok"
    assert check(deployment, other.blake3).status == "corrupt"
    with deployment.uow().reading() as uow:
        assert uow.blobs.chunk_index(digests.blake3) == piecewise_index(data)
        assert uow.blobs.chunk_index(other.blake3) is None


def test_the_database_refuses_a_chunk_index_that_does_not_fit_the_blob(deployment: Deployment) -> None:
    digests = put_blob(deployment, b"\x00" * (INDEX_PIECE_BYTES + 1))
    with pytest.raises(IntegrityError), deployment.uow().writing() as uow:
        uow.blobs.set_chunk_index(digests.blake3, b"\x00" * 32)
    with deployment.uow().reading() as uow:
        assert uow.blobs.chunk_index(digests.blake3) == piecewise_index(b"\x00" * (INDEX_PIECE_BYTES + 1))
