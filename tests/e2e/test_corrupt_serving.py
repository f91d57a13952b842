"""A blob known to be corrupt is never served as if it were good."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import httpx2
from sqlalchemy import text

from archive.digests import INDEX_PIECE_BYTES, digest_bytes
from archive.services.log import get_entry
from archive.storage import blob_key
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive, serving
from tests.e2e.test_audits_api import wait_until_done
from tests.e2e.test_refusals import assert_problem
from tests.integration.test_fixity import corrupt_stored_blob, fixity_checks
from tests.unit.test_digests import piecewise_index


def flip_one_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def test_a_small_blob_is_rehashed_as_it_is_served(api: Api) -> None:
    data = os.urandom(2000)
    version = api.upload(data).json()
    path = f"/v1/blobs/{version['blake3']}"
    assert api.get(path).content == data
    corrupt_stored_blob(api.deployment, version["blake3"], flip_one_byte(data))
    # The fast path answers with the bytes verified a moment ago for up to ARCHIVE_KEY_CACHE_SECONDS
    # (tests/e2e/test_fast_path.py); emptied here, every read below is the route's own.
    api.client.app.state.context.read_cache.clear()  # type: ignore[attr-defined]

    refused = api.get(path)
    body = assert_problem(refused, 502)
    assert body["fixity_status"] == "corrupt"
    assert_problem(api.get(f"/v1/documents/{version['document_id']}/versions/1/content"), 502)
    assert_problem(api.get(path, headers={"Range": "bytes=0-9"}), 502)
    assert api.client.head(path, headers=api.auth()).status_code == 502

    verified = api.client.post("/v1/verify", json={"blake3": version["blake3"]}, headers=api.auth()).json()
    assert verified["fixity"]["status"] == "corrupt"
    with api.deployment.uow().writing() as uow:
        entry = bytes(get_entry(uow, verified["fixity"]["log_index"]).entry)
    assert b'"fixity.failed"' in entry and version["blake3"].encode() in entry


def test_a_large_blob_is_refused_once_an_audit_found_it_corrupt(deployment: Deployment) -> None:
    with running_api(deployment, verify_on_read_bytes=1000) as api:
        data = os.urandom(5000)
        version = api.upload(data).json()
        good = api.upload(os.urandom(5000)).json()
        corrupt_stored_blob(api.deployment, version["blake3"], flip_one_byte(data))
        path = f"/v1/blobs/{version['blake3']}"
        # Too big to re-hash before sending: it is hashed as it streams, and the transfer is cut short.
        streamed = api.get(path)
        assert len(streamed.content) < len(data)

        started = api.client.post("/v1/audits", headers=api.auth())
        assert started.status_code == 202
        report = wait_until_done(api, started.json()["id"])
        assert report["counts"]["corrupt"] == 1
        assert [f["blake3"] for f in report["failures"]] == [version["blake3"]]

        assert_problem(api.get(path), 502)
        assert api.get(f"/v1/blobs/{good['blake3']}").status_code == 200


def test_a_blob_lost_from_storage_is_a_recorded_failure(api: Api) -> None:
    version = api.upload(os.urandom(300)).json()
    api.deployment.store.delete(version["blake3"])
    body = assert_problem(api.get(f"/v1/blobs/{version['blake3']}"), 502)
    assert body["fixity_status"] == "missing"
    verified = api.client.post("/v1/verify", json={"blake3": version["blake3"]}, headers=api.auth()).json()
    assert verified["fixity"]["status"] == "missing"


def test_uploading_the_genuine_bytes_repairs_a_corrupt_copy(api: Api) -> None:
    data = os.urandom(2000)
    version = api.upload(data, filename="a.bin").json()
    path = f"/v1/blobs/{version['blake3']}"
    corrupt_stored_blob(api.deployment, version["blake3"], flip_one_byte(data))
    assert_problem(api.get(path), 502)  # found out and recorded on read

    again = api.upload(data, filename="b.bin")  # the same bytes, another name: a new version
    assert again.status_code == 201, again.text
    assert api.get(path).content == data, "served again at once, no fixity call needed"
    new_version = f"/v1/documents/{again.json()['document_id']}/versions/{again.json()['version']}/content"
    assert api.get(new_version).content == data
    verified = api.client.post("/v1/verify", json={"blake3": version["blake3"]}, headers=api.auth()).json()
    assert verified["fixity"]["status"] == "ok"
    assert b"".join(api.deployment.store.read(version["blake3"])) == data


def test_uploading_the_genuine_bytes_restores_a_lost_blob(api: Api) -> None:
    data = os.urandom(300)
    version = api.upload(data, filename="a.bin").json()
    api.deployment.store.delete(version["blake3"])
    assert assert_problem(api.get(f"/v1/blobs/{version['blake3']}"), 502)["fixity_status"] == "missing"

    again = api.upload(data, filename="b.bin")
    assert again.status_code == 201, again.text
    assert api.get(f"/v1/blobs/{version['blake3']}").content == data
    assert api.get(f"/v1/documents/{version['document_id']}/versions/1/content").content == data


def test_repeating_the_latest_upload_repairs_its_corrupt_copy(api: Api) -> None:
    data = os.urandom(2000)
    metadata = {"source_url": "https://example.org/a"}
    version = api.upload(data, filename="a.bin", metadata=metadata).json()
    corrupt_stored_blob(api.deployment, version["blake3"], flip_one_byte(data))
    assert_problem(api.get(f"/v1/blobs/{version['blake3']}"), 502)

    again = api.upload(data, filename="a.bin", metadata=metadata)  # the latest version again
    assert again.status_code == 200, again.text
    assert again.json()["version"] == version["version"]
    assert api.get(f"/v1/blobs/{version['blake3']}").content == data


def test_a_large_corrupt_blob_is_never_a_complete_transfer(tmp_path: Path) -> None:
    """Over the real server: a blob too big to re-hash before sending is hashed as it streams; changed in
    storage (same size, one byte flipped), every concurrent reader gets a failed transfer, the failure is
    recorded once, and from then on it is a 502."""
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "big").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    data = os.urandom(6 * 1024 * 1024 + 5)
    with serving(tmp_path, ARCHIVE_VERIFY_ON_READ_BYTES="1000") as server:
        version = httpx2.post(
            f"{server.url}/v1/documents", files={"file": ("big.bin", data)}, headers=headers, timeout=60
        ).json()
        url = f"{server.url}/v1/blobs/{version['blake3']}"
        assert httpx2.get(url, headers=headers, timeout=60).content == data  # good bytes stream whole
        stored = tmp_path / "blobs" / blob_key(version["blake3"])
        stored.chmod(0o644)
        stored.write_bytes(flip_one_byte(data))

        outcomes: list[str] = []

        def fetch() -> None:
            received = 0
            try:
                with httpx2.stream("GET", url, headers=headers, timeout=60) as response:
                    if response.status_code == 502:  # a reader that came after the failure was recorded
                        outcomes.append("refused")
                        return
                    declared = int(response.headers["content-length"])
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                outcomes.append("complete" if received == declared else "short")
            except httpx2.TransportError:  # the server ended the response before its last bytes
                outcomes.append("failed")

        readers = [threading.Thread(target=fetch) for _ in range(4)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        assert "complete" not in outcomes and len(outcomes) == 4, outcomes
        assert "failed" in outcomes or "short" in outcomes, outcomes
        refused = httpx2.get(url, headers=headers, timeout=60)
        assert refused.status_code == 502
        assert refused.json()["fixity_status"] == "corrupt"
    with sqlite3.connect(tmp_path / "archive.db") as db:
        failures = db.execute(
            "SELECT count(*) FROM fixity_checks WHERE blob_blake3 = ? AND status = 'corrupt'",
            (version["blake3"],),
        ).fetchone()[0]
    assert failures == 1, "recorded once, not once per reader"


MiB = INDEX_PIECE_BYTES


def stored_chunk_index(deployment: Deployment, blake3: str) -> bytes | None:
    with deployment.uow().reading() as uow:
        return uow.blobs.chunk_index(blake3)


def forget_chunk_index(deployment: Deployment, blake3: str) -> None:
    """As a blob archived before chunk indexes were recorded has none."""
    with deployment.db.engine.begin() as connection:
        connection.execute(text("UPDATE blobs SET chunk_index = NULL WHERE blake3 = :b"), {"b": blake3})


def test_a_range_of_a_large_blob_is_checked_piece_by_piece(deployment: Deployment) -> None:
    """Only the pieces a range touches are read and checked: a range clear of the changed piece is served
    (its bytes are the archived ones), a range touching it is a failed transfer that records the failure
    once, with what storage holds, and from then on the blob is a 502."""
    with running_api(deployment, verify_on_read_bytes=1000) as api:
        data = os.urandom(3 * MiB + 100)
        version = api.upload(data).json()
        blake3 = version["blake3"]
        assert stored_chunk_index(deployment, blake3) == piecewise_index(data)
        path = f"/v1/blobs/{blake3}"
        changed = bytearray(data)
        changed[2 * MiB + 10] ^= 0x01
        corrupt_stored_blob(deployment, blake3, bytes(changed))

        clear = api.get(path, headers={"Range": f"bytes=10-{MiB + 5}"})
        assert clear.status_code == 206 and clear.content == data[10 : MiB + 6]
        tail = api.get(path, headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == data[-50:]

        touching = api.get(path, headers={"Range": f"bytes={2 * MiB - 10}-{2 * MiB + 20}"})
        assert int(touching.headers["content-length"]) == 31
        assert touching.content == data[2 * MiB - 10 : 2 * MiB], "the good piece's bytes, then the end"

        body = assert_problem(api.get(path, headers={"Range": "bytes=0-9"}), 502)
        assert body["fixity_status"] == "corrupt"
        assert_problem(api.get(f"/v1/documents/{version['document_id']}/versions/1/content"), 502)
        [check] = [c for c in fixity_checks(deployment, blake3) if c.status == "corrupt"]
        assert check.found_blake3 == digest_bytes(bytes(changed)).blake3, "the whole blob was measured"


def test_a_truncated_large_blob_fails_the_range_that_reaches_past_its_end(deployment: Deployment) -> None:
    with running_api(deployment, verify_on_read_bytes=1000) as api:
        data = os.urandom(2 * MiB + 500)
        version = api.upload(data).json()
        corrupt_stored_blob(deployment, version["blake3"], data[: 2 * MiB + 100])
        path = f"/v1/blobs/{version['blake3']}"
        cut = api.get(path, headers={"Range": f"bytes={2 * MiB}-{2 * MiB + 400}"})
        assert cut.content == b""
        assert_problem(api.get(path, headers={"Range": "bytes=0-9"}), 502)


def test_a_blob_archived_without_a_chunk_index_gets_one_at_its_first_range(deployment: Deployment) -> None:
    with running_api(deployment, verify_on_read_bytes=1000) as api:
        data = os.urandom(2 * MiB + 7)
        version = api.upload(data).json()
        forget_chunk_index(deployment, version["blake3"])
        ranged = api.get(f"/v1/blobs/{version['blake3']}", headers={"Range": f"bytes={MiB}-{MiB + 99}"})
        assert ranged.status_code == 206 and ranged.content == data[MiB : MiB + 100]
        assert stored_chunk_index(deployment, version["blake3"]) == piecewise_index(data)


def test_a_wrong_chunk_index_is_remade_without_calling_the_blob_corrupt(deployment: Deployment) -> None:
    with running_api(deployment, verify_on_read_bytes=1000) as api:
        data = os.urandom(2 * MiB + 7)
        blake3 = api.upload(data).json()["blake3"]
        wrong = piecewise_index(os.urandom(len(data)))
        with deployment.uow().writing() as uow:
            uow.blobs.set_chunk_index(blake3, wrong)
        path = f"/v1/blobs/{blake3}"
        assert api.get(path, headers={"Range": "bytes=0-99"}).content == b""  # this transfer fails
        assert stored_chunk_index(deployment, blake3) == piecewise_index(data)
        assert api.get(path, headers={"Range": "bytes=0-99"}).content == data[:100]
        assert [c.status for c in fixity_checks(deployment, blake3)] == []
