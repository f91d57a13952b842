"""Bad and unauthorised input: each gets its precise status, a problem document, and stores nothing."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx2
import pytest

from archive.roles import Role
from archive.services.keys import revoke_key
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api

PROBLEM = "application/problem+json"


def assert_problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def assert_nothing_stored(api: Api) -> None:
    assert api.blob_count() == 0
    assert api.version_count() == 0
    store = api.deployment.settings.storage_location()
    if hasattr(store, "root"):
        blobs = store.root / "blake3"
        assert not blobs.exists() or not any(p.is_file() for p in blobs.rglob("*"))
        staging = api.deployment.settings.effective_spool_dir()
        assert staging is not None
        assert not staging.exists() or not any(staging.iterdir()), "a spool file was left behind"


def test_no_file_part(api: Api) -> None:
    response = api.client.post("/v1/documents", files={"metadata": (None, "{}")}, headers=api.auth())
    assert "file" in assert_problem(response, 422)["detail"]
    assert_nothing_stored(api)


def test_empty_file_is_refused(api: Api) -> None:
    body = assert_problem(api.upload(b""), 422)
    assert "empty" in body["detail"]
    assert_nothing_stored(api)


def test_not_multipart(api: Api) -> None:
    response = api.client.post("/v1/documents", content=b"raw bytes", headers=api.auth())
    assert_problem(response, 415)
    assert_nothing_stored(api)


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ("{not json", "metadata"),
        ('["a list"]', "metadata"),
        ({"title": ""}, "title"),
        ({"title": "x" * 1001}, "title"),
        ({"title": "bell\u0007"}, "title"),
        ({"published_at": "last Tuesday"}, "published_at"),
        ({"published_at": "2024-01-02T03:04:05"}, "published_at"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"language": "english please"}, "language"),
        ({"tilte": "typo"}, "tilte"),
    ],
)
def test_bad_metadata(api: Api, metadata: dict[str, Any] | str, field: str) -> None:
    body = assert_problem(api.upload(b"some bytes", metadata=metadata), 422)
    assert field in body["detail"]
    assert_nothing_stored(api)


def test_malformed_digest_in_path(api: Api) -> None:
    for bad in ("abc", "Z" * 64, "../../etc/passwd", "0" * 63, "A" * 64):
        assert_problem(api.get(f"/v1/blobs/{bad}"), 422 if "/" not in bad else 404)


def test_malformed_document_id_and_version(api: Api) -> None:
    assert_problem(api.get("/v1/documents/not-a-ulid"), 422)
    assert_problem(api.get("/v1/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV/versions/0"), 422)
    assert_problem(api.get("/v1/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV/versions/x"), 422)


def test_unknown_id_version_and_digest(api: Api) -> None:
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    assert_problem(api.get(f"/v1/documents/{unknown}"), 404)
    assert_problem(api.get(f"/v1/documents/{unknown}/versions"), 404)
    assert_problem(api.get(f"/v1/documents/{unknown}/content"), 404)
    assert_problem(api.get(f"/v1/blobs/{'0' * 64}"), 404)
    version = api.upload(b"present").json()
    missing_version = api.get(f"/v1/documents/{version['document_id']}/versions/2")
    assert assert_problem(missing_version, 404)["version"] == 2
    assert_problem(api.get(f"/v1/documents/{version['document_id']}/versions/2/content"), 404)


def test_body_over_the_upload_limit(deployment: Deployment) -> None:
    with running_api(deployment, max_upload_bytes=1000) as api:
        body = assert_problem(api.upload(os.urandom(1001)), 413)
        assert body["limit"] == 1000
        assert_nothing_stored(api)
        assert api.upload(os.urandom(1000)).status_code == 201


def test_metadata_over_its_limit(deployment: Deployment) -> None:
    with running_api(deployment, max_metadata_bytes=100) as api:
        assert_problem(api.upload(b"bytes", metadata={"note": "n" * 200}), 413)
        assert_nothing_stored(api)


def test_verify_refusals(api: Api) -> None:
    auditor = api.auth(Role.AUDITOR)
    assert_problem(api.client.post("/v1/verify", json={"blake3": "xyz"}, headers=auditor), 422)
    assert_problem(api.client.post("/v1/verify", json={}, headers=auditor), 422)
    both = {"blake3": "0" * 64, "sha256": "0" * 64}
    assert_problem(api.client.post("/v1/verify", json=both, headers=auditor), 422)
    assert_problem(
        api.client.post("/v1/verify", content=b"{", headers={**auditor, "Content-Type": "application/json"}),
        422,
    )
    assert_problem(
        api.client.post("/v1/verify", content=b"x", headers={**auditor, "Content-Type": "text/plain"}), 415
    )


def test_no_key_is_401(api: Api) -> None:
    response = api.client.post("/v1/documents", files={"file": ("a", b"a")})
    assert assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_problem(api.client.get("/v1/blobs/" + "0" * 64), 401)
    assert_nothing_stored(api)


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ark_0123456789abcdef_" + "A" * 43],
)
def test_malformed_or_unknown_key_is_401(api: Api, header: str) -> None:
    response = api.client.post(
        "/v1/documents", files={"file": ("a", b"a")}, headers={"Authorization": header}
    )
    assert_problem(response, 401)
    assert_nothing_stored(api)


@pytest.mark.parametrize("role", [Role.READER, Role.AUDITOR])
def test_roles_below_archivist_cannot_upload(api: Api, role: Role) -> None:
    body = assert_problem(api.upload(b"not allowed", role=role), 403)
    assert body["needed"] == "archivist"
    assert_nothing_stored(api)


def test_reader_cannot_verify(api: Api) -> None:
    response = api.client.post("/v1/verify", json={"blake3": "0" * 64}, headers=api.auth(Role.READER))
    assert_problem(response, 403)


def test_revoked_key_is_401(api: Api) -> None:
    assert api.upload(b"before revocation").status_code == 201
    with api.deployment.uow().writing() as uow:
        revoke_key(uow, "test-archivist")
    # The bound the README states: a process trusts a key it checked for ARCHIVE_KEY_CACHE_SECONDS.
    time.sleep(api.deployment.settings.key_cache_seconds)
    body = assert_problem(api.upload(b"after revocation"), 401)
    assert "revoked" in body["detail"]
    assert api.version_count() == 1


def test_public_read_admits_readers_without_a_key_but_never_writers(deployment: Deployment) -> None:
    with running_api(deployment, public_read=True) as api:
        version = api.upload(b"public document").json()
        anonymous = api.client.get(f"/v1/blobs/{version['blake3']}")
        assert anonymous.status_code == 200
        assert anonymous.content == b"public document"
        assert api.client.get(f"/v1/documents/{version['document_id']}").status_code == 200
        assert_problem(api.client.post("/v1/documents", files={"file": ("a", b"a")}), 401)
        assert_problem(api.client.post("/v1/verify", json={"blake3": "0" * 64}), 401)
        bad_key = api.client.get(f"/v1/blobs/{version['blake3']}", headers={"Authorization": "Bearer x"})
        assert_problem(bad_key, 401)


def test_unknown_route_and_method_are_problems(api: Api) -> None:
    assert_problem(api.client.get("/v1/nothing-here"), 404)
    assert_problem(api.client.delete(f"/v1/blobs/{'0' * 64}", headers=api.auth(Role.ADMIN)), 405)


def test_hostile_filename_is_reduced_to_a_safe_name(api: Api) -> None:
    body = (
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="file"; filename="..\\..\\etc/passwd\x07\x1b[31m"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
        b"payload\r\n"
        b"--b0undary--\r\n"
    )
    headers = {**api.auth(), "Content-Type": "multipart/form-data; boundary=b0undary"}
    response = api.client.post("/v1/documents", content=body, headers=headers)
    assert response.status_code == 201, response.text
    version = response.json()
    assert version["filename"] == "passwd[31m"
    fetched = api.get(f"/v1/documents/{version['document_id']}/versions/1/content")
    assert fetched.headers["content-disposition"] == (
        "attachment; filename=\"passwd[31m\"; filename*=UTF-8''passwd%5B31m"
    )
    assert fetched.content == b"payload"


def test_malformed_multipart_bodies(api: Api) -> None:
    headers = {**api.auth(), "Content-Type": "multipart/form-data; boundary=b0undary"}
    truncated = b'--b0undary\r\nContent-Disposition: form-data; name="file"\r\n\r\npartial'
    assert_problem(api.client.post("/v1/documents", content=truncated, headers=headers), 422)
    unexpected = b'--b0undary\r\nContent-Disposition: form-data; name="evil"\r\n\r\nx\r\n--b0undary--\r\n'
    assert (
        "evil"
        in assert_problem(api.client.post("/v1/documents", content=unexpected, headers=headers), 422)[
            "detail"
        ]
    )
    twice = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\na\r\n'
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="b"\r\n\r\nb\r\n'
        b"--b0undary--\r\n"
    )
    assert_problem(api.client.post("/v1/documents", content=twice, headers=headers), 422)
    no_boundary = {**api.auth(), "Content-Type": "multipart/form-data"}
    assert_problem(api.client.post("/v1/documents", content=b"x", headers=no_boundary), 415)
    assert_nothing_stored(api)
