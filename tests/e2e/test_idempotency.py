"""Idempotency-Key: a retry gets the first answer and stores nothing new; another body with the key is 422."""

from __future__ import annotations

import threading
from typing import Any

import httpx2

from archive.roles import Role
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.test_refusals import assert_problem


def upload(
    api: Api, data: bytes, key: str, metadata: str = '{"title": "T"}', role: Role = Role.ARCHIVIST
) -> httpx2.Response:
    return api.client.post(
        "/v1/documents",
        files={"file": ("a.txt", data, "text/plain"), "metadata": (None, metadata)},
        headers={**api.auth(role), "Idempotency-Key": key},
    )


def test_a_retry_gets_the_first_answer(api: Api) -> None:
    first = upload(api, b"once only", "retry-1")
    assert first.status_code == 201
    again = upload(api, b"once only", "retry-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert api.version_count() == 1
    assert api.blob_count() == 1
    other_key = upload(api, b"once only", "retry-2")
    assert other_key.json()["document_id"] != first.json()["document_id"], "a new key is a new request"


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    assert upload(api, b"first body", "k").status_code == 201
    body = assert_problem(upload(api, b"second body", "k"), 422)
    assert "different request" in body["detail"]
    assert_problem(upload(api, b"first body", "k", metadata='{"title": "Other"}'), 422)
    assert api.version_count() == 1


def test_keys_belong_to_their_holder(api: Api) -> None:
    mine = upload(api, b"same bytes", "shared-key")
    theirs = upload(api, b"same bytes", "shared-key", role=Role.ADMIN)
    assert theirs.status_code == 201
    assert theirs.json()["document_id"] != mine.json()["document_id"]


def test_bad_keys_and_corrections(api: Api) -> None:
    assert_problem(upload(api, b"x", "has space"), 422)
    assert_problem(upload(api, b"x", "k" * 256), 422)
    version = upload(api, b"to correct", "c-1").json()
    path = f"/v1/documents/{version['document_id']}/versions"
    headers = {**api.auth(), "Idempotency-Key": "fix-1"}
    fixed = api.client.post(path, json={"title": "Fixed"}, headers=headers)
    assert fixed.status_code == 201
    replay = api.client.post(path, json={"title": "Fixed"}, headers=headers)
    assert replay.json() == fixed.json()
    assert_problem(api.client.post(path, json={"title": "Other"}, headers=headers), 422)
    assert api.version_count() == 2


def test_racing_retries_store_one_version(deployment: Deployment) -> None:
    with running_api(deployment) as api:
        answers: list[dict[str, Any]] = []
        barrier = threading.Barrier(4)

        def send() -> None:
            barrier.wait()
            response = upload(api, b"raced upload", "race-key")
            assert response.status_code == 201, response.text
            answers.append(response.json())

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(answers) == 4
        assert all(answer == answers[0] for answer in answers)
        assert api.version_count() == 1
