"""The storage probe: a store that ignores conditional writes or checksums is found out at start, over a
real S3 server behind a real HTTP proxy that drops those headers, as a lax S3-compatible server would."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from fastapi.testclient import TestClient

from archive.api.app import create_app
from archive.storage import FilesystemBlobStore, MemoryBlobStore
from archive.storage.base import CHECKSUMS, CONDITIONAL_WRITES
from archive.storage.s3 import S3BlobStore
from tests.conftest import embedded_deployment, new_bucket

LAX = ("if-none-match", "x-amz-checksum-sha256", "x-amz-sdk-checksum-algorithm", "content-md5")


@contextmanager
def lax_proxy(upstream: str, dropped: tuple[str, ...]) -> Iterator[str]:
    """An HTTP proxy to `upstream` that forwards every request without the headers `dropped`."""
    target = urlsplit(upstream)

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
            connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        def log_message(self, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def s3(endpoint: str, bucket: str) -> S3BlobStore:
    return S3BlobStore(boto3.client("s3", endpoint_url=endpoint), bucket, "archive")


def test_a_conforming_store_keeps_every_guarantee(s3_endpoint: str, tmp_path: Path) -> None:
    store = s3(s3_endpoint, new_bucket(s3_endpoint))
    # The test server refuses a write where the key exists, but (like some S3-compatible servers) checks
    # no checksum: that is reported, apart.
    assert set(store.unkept_guarantees()) == {CHECKSUMS}
    listed = store.client.list_objects_v2(Bucket=store.bucket)
    assert listed.get("KeyCount", 0) == 0, "the probe cleaned up after itself"
    assert FilesystemBlobStore(tmp_path / "blobs").unkept_guarantees() == {}
    assert MemoryBlobStore().unkept_guarantees() == {}


def test_a_store_that_ignores_conditional_writes_is_found_out(s3_endpoint: str) -> None:
    bucket = new_bucket(s3_endpoint)
    with lax_proxy(s3_endpoint, LAX) as proxy:
        found = s3(proxy, bucket).unkept_guarantees()
    assert set(found) == {CONDITIONAL_WRITES, CHECKSUMS}
    assert found[CONDITIONAL_WRITES].startswith("conditional writes (If-None-Match: *) are ignored")


def test_readiness_says_what_a_lax_store_does_not_keep(s3_endpoint: str, tmp_path: Path) -> None:
    deployed = embedded_deployment(tmp_path)
    bucket = new_bucket(s3_endpoint)
    with lax_proxy(s3_endpoint, LAX) as proxy:
        app = create_app(deployed.settings, db=deployed.db, store=s3(proxy, bucket))
        with TestClient(app) as client:
            ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["storage"] == "ok"
    assert checks["storage_guarantees"].startswith("not kept: conditional writes")
    assert "x-amz-checksum-sha256" in checks["storage_checksums"]
    with TestClient(create_app(deployed.settings, db=deployed.db, store=s3(s3_endpoint, bucket))) as client:
        good = client.get("/readyz")
    assert good.status_code == 200
    assert good.json()["checks"]["storage_guarantees"] == "ok"
    assert "storage_checksums" in good.json()["checks"]  # reported, without failing readiness
