"""Archiving and fetching through the HTTP API, on both deployments."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re

import blake3

from archive.api.docs import ASSET_DIR
from archive.roles import Role
from tests.conftest import shared_path
from tests.e2e.conftest import Api

SEED = shared_path("corpus", "seed")
SEED_TEXT = SEED / "dhs-irs-deputize.txt"
EXPECTED = json.loads((SEED / "dhs-irs-deputize.expected.json").read_text())


def test_seed_article_round_trips_through_every_fetch_route(api: Api) -> None:
    data = SEED_TEXT.read_bytes()
    created = api.upload(
        data,
        filename="dhs-irs-deputize.txt",
        media_type=EXPECTED["media_type"],
        metadata={"title": EXPECTED["title"], "publisher": EXPECTED["publisher"]},
    )
    assert created.status_code == 201, created.text
    version = created.json()
    assert version["blake3"] == EXPECTED["blake3"]
    assert version["sha256"] == EXPECTED["sha256"]
    assert version["size"] == EXPECTED["size"] == len(data)
    assert version["version"] == 1
    assert version["media_type"] == EXPECTED["media_type"]
    assert version["title"] == EXPECTED["title"]
    assert version["archived_by"] == "test-archivist"
    document_id = version["document_id"]
    assert created.headers["location"] == f"/v1/documents/{document_id}/versions/1"

    document = api.get(f"/v1/documents/{document_id}").json()
    assert document["id"] == document_id
    assert document["version_count"] == 1
    assert document["latest"]["blake3"] == EXPECTED["blake3"]

    versions = api.get(f"/v1/documents/{document_id}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1]
    assert api.get(f"/v1/documents/{document_id}/versions/1").json() == versions[0]

    for path in (
        f"/v1/documents/{document_id}/content",
        f"/v1/documents/{document_id}/versions/1/content",
        f"/v1/blobs/{EXPECTED['blake3']}",
    ):
        fetched = api.get(path)
        assert fetched.status_code == 200, path
        assert fetched.content == data, path
        assert blake3.blake3(fetched.content).hexdigest() == EXPECTED["blake3"]

    again = api.upload(data, metadata={"title": "A second document with the same bytes"})
    assert again.status_code == 201
    assert again.json()["document_id"] != document_id
    assert again.json()["blake3"] == EXPECTED["blake3"]
    assert api.blob_count() == 1
    assert api.version_count() == 2


def test_content_headers_are_the_ones_design_promises(api: Api) -> None:
    data = b"<html><body><script>alert(document.cookie)</script>archived page</body></html>"
    version = api.upload(data, filename="page.html", media_type="text/html; charset=utf-8").json()
    response = api.get(f"/v1/documents/{version['document_id']}/versions/1/content")
    sha256 = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert response.headers["etag"] == f'"{version["blake3"]}"'
    assert response.headers["repr-digest"] == f"sha-256=:{sha256}:"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "page.html" in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(data))


def test_range_requests(api: Api) -> None:
    data = os.urandom(3000)
    version = api.upload(data, media_type="application/octet-stream").json()
    path = f"/v1/blobs/{version['blake3']}"

    partial = api.get(path, headers={"Range": "bytes=100-199"})
    assert partial.status_code == 206
    assert partial.content == data[100:200]
    assert partial.headers["content-range"] == "bytes 100-199/3000"
    assert partial.headers["content-length"] == "100"

    assert api.get(path, headers={"Range": "bytes=-10"}).content == data[-10:]
    assert api.get(path, headers={"Range": "bytes=2990-"}).content == data[2990:]
    assert api.get(path, headers={"Range": "bytes=2990-99999"}).content == data[2990:]

    unsatisfiable = api.get(path, headers={"Range": "bytes=3000-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == "bytes */3000"
    assert unsatisfiable.headers["content-type"] == "application/problem+json"

    huge = "9" * 5000  # more digits than int() reads: past the end, not a 500
    assert api.get(path, headers={"Range": f"bytes={huge}-"}).status_code == 416
    whole = api.get(path, headers={"Range": f"bytes=0-{huge}"})
    assert (whole.status_code, whole.content) == (206, data)
    assert api.get(path, headers={"Range": f"bytes=-{huge}"}).content == data

    several = api.get(path, headers={"Range": "bytes=0-1,5-6"})
    assert several.status_code == 200
    assert several.content == data

    stale = api.get(path, headers={"Range": "bytes=0-9", "If-Range": '"not-the-etag"'})
    assert stale.status_code == 200
    assert stale.content == data
    fresh = api.get(path, headers={"Range": "bytes=0-9", "If-Range": f'"{version["blake3"]}"'})
    assert fresh.status_code == 206
    assert fresh.content == data[:10]


def test_conditional_get_and_head(api: Api) -> None:
    data = os.urandom(512)
    version = api.upload(data).json()
    path = f"/v1/blobs/{version['blake3']}"
    etag = f'"{version["blake3"]}"'

    not_modified = api.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    head = api.client.head(path, headers=api.auth(Role.READER))
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == "512"
    assert head.headers["etag"] == etag

    missing = api.client.head(f"/v1/blobs/{'0' * 64}", headers=api.auth(Role.READER))
    assert missing.status_code == 404


def test_same_source_url_and_bytes_answers_200_with_the_existing_version(api: Api) -> None:
    data = os.urandom(100)
    metadata = {"source_url": "https://news.example/story", "title": "Story"}
    first = api.upload(data, metadata=metadata)
    assert first.status_code == 201
    second = api.upload(data, metadata=metadata)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert api.version_count() == 1


def test_verify_by_upload_and_by_digest(api: Api) -> None:
    data = os.urandom(2048)
    version = api.upload(data).json()
    auditor = api.auth(Role.AUDITOR)

    by_upload = api.client.post("/v1/verify", files={"file": ("x", data)}, headers=auditor)
    assert by_upload.status_code == 200
    result = by_upload.json()
    assert result["archived"] is True
    assert result["blake3"] == version["blake3"]
    assert result["versions"][0]["document_id"] == version["document_id"]
    assert result["versions"][0]["version"] == 1

    by_sha = api.client.post("/v1/verify", json={"sha256": version["sha256"]}, headers=auditor)
    assert by_sha.json()["blake3"] == version["blake3"]
    by_b3 = api.client.post("/v1/verify", json={"blake3": version["blake3"]}, headers=auditor)
    assert by_b3.json()["archived"] is True

    stranger = os.urandom(100)
    unknown = api.client.post("/v1/verify", files={"file": ("y", stranger)}, headers=auditor)
    assert unknown.status_code == 200
    assert unknown.json()["archived"] is False
    assert unknown.json()["blake3"] == blake3.blake3(stranger).hexdigest()
    assert unknown.json()["size"] == 100
    assert unknown.json()["versions"] == []
    assert api.blob_count() == 1, "verifying must store nothing"


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert {k: checks.pop(k) for k in ("database", "storage", "storage_guarantees")} == dict.fromkeys(
        ("database", "storage", "storage_guarantees"), "ok"
    )
    if api.deployment.name == "production":  # the suite's S3 server checks no checksum: said, not fatal
        assert checks.pop("storage_checksums").startswith("a wrong x-amz-checksum-sha256 is accepted")
    assert checks == {}


def test_the_openapi_document_describes_every_route(api: Api) -> None:
    document = api.client.get("/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert {"get", "head"} <= set(paths["/v1/documents/{document_id}/versions/{number}/content"])
    upload = paths["/v1/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "200", "401", "403", "413", "415", "422", "503"} <= set(upload["responses"])
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_the_api_description_pages_load_nothing_from_elsewhere(api: Api) -> None:
    """/docs and /redoc are served with their scripts and styles from the archive itself, no CDN."""
    for page in ("/docs", "/redoc"):
        html = api.client.get(page)
        assert html.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert sources, html.text
        assert all(source.startswith("/") for source in sources), sources
        for source in sources:
            asset = api.client.get(source)
            assert asset.status_code == 200, source
            assert asset.content == (ASSET_DIR / source.rsplit("/", 1)[1]).read_bytes()
    assert "https://" not in api.client.get("/docs").text.replace("https://swagger.io", "")
    assert api.client.get("/docs/oauth2-redirect").status_code == 200
    assert api.client.get("/docs/assets/../../archive.db").status_code == 404
