"""The fast path answers hot reads exactly as the full routes do: same statuses, headers and bodies."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx2
import pytest

from archive.api.deps import AppContext
from archive.api.fast_path import Answer, ReadCache
from archive.roles import Role
from archive.services.keys import ANONYMOUS_READER, Principal, revoke_key
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.test_corrupt_serving import flip_one_byte
from tests.e2e.test_refusals import assert_problem
from tests.integration.test_fixity import corrupt_stored_blob


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def context_of(api: Api) -> AppContext:
    context = api.client.app.state.context  # type: ignore[attr-defined]
    assert isinstance(context, AppContext)
    return context


def read_cache(api: Api) -> ReadCache:
    return context_of(api).read_cache


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fast(deployment: Deployment, clock: Clock) -> Iterator[Api]:
    with running_api(deployment) as api:
        read_cache(api).clock = clock
        context_of(api).key_cache.clock = clock
        yield api


def comparable(response: httpx2.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k != "x-request-id"}
    return response.status_code, headers, response.content


def full_then_fast(api: Api, path: str, headers: dict[str, str], *, served: bool) -> httpx2.Response:
    """The full route's answer to a request (the cache emptied first), then the same request again once a
    plain GET of the path taught the cache; they must be the same, and the second served fast or not."""
    read_cache(api).clear()
    full = api.get(path, headers=headers)
    assert "x-request-id" in full.headers
    api.get(path)
    before = read_cache(api).served
    again = api.get(path, headers=headers)
    assert read_cache(api).served == before + served, (path, headers)
    assert "x-request-id" in again.headers
    assert comparable(again) == comparable(full)
    return again


NEGOTIATED: list[tuple[dict[str, str], int]] = [
    ({}, 200),
    ({"Range": "bytes=0-9"}, 206),
    ({"Range": "bytes=-7"}, 206),
    ({"Range": "bytes=100-"}, 206),
    ({"Range": "bytes=0-1,5-6"}, 200),  # several ranges: the whole
    ({"Range": "bytes=9-3"}, 200),  # does not parse as a range: the whole
    ({"Range": "bytes=0-4", "If-Range": '"not-the-etag"'}, 200),
    ({"If-None-Match": '"not-the-etag"'}, 200),
    ({"If-None-Match": "*"}, 304),
]


def test_every_hot_read_is_answered_fast_exactly_as_the_route_answers_it(fast: Api) -> None:
    data = os.urandom(3000)
    first = fast.upload(data).json()
    document = first["document_id"]
    blake3 = first["blake3"]
    for path in (
        f"/v1/blobs/{blake3}",
        f"/v1/documents/{document}/versions/1/content",
        f"/v1/documents/{document}/content",
    ):
        for headers, status in NEGOTIATED:
            assert full_then_fast(fast, path, headers, served=True).status_code == status
        etag = fast.get(path).headers["etag"]
        assert full_then_fast(fast, path, {"If-None-Match": etag}, served=True).status_code == 304
        ranged = full_then_fast(fast, path, {"Range": "bytes=10-19", "If-Range": etag}, served=True)
        assert ranged.status_code == 206 and ranged.content == data[10:20]
        # A range outside the bytes is the route's 416, with its problem body.
        refused = full_then_fast(fast, path, {"Range": "bytes=5000-"}, served=False)
        assert_problem(refused, 416)
        assert refused.headers["content-range"] == "bytes */3000"
        # Anything with a query string is the route's.
        assert full_then_fast(fast, path + "?x=1", {}, served=False).status_code == 200


def test_refusals_are_the_routes_own(fast: Api) -> None:
    version = fast.upload(os.urandom(100)).json()
    path = f"/v1/blobs/{version['blake3']}"
    fast.get(path)
    for headers, status in [
        ({"Authorization": ""}, 401),
        ({"Authorization": "Basic abc"}, 401),
        ({"Authorization": "Bearer ark_0000000000000000_" + "a" * 43}, 401),
    ]:
        assert_problem(full_then_fast(fast, path, headers, served=False), status)
    missing = version["document_id"][:-1] + ("0" if version["document_id"][-1] != "0" else "1")
    for absent in (
        f"/v1/blobs/{'0' * 64}",
        f"/v1/documents/{missing}/content",
        f"/v1/documents/{version['document_id']}/versions/2/content",
    ):
        assert_problem(full_then_fast(fast, absent, {}, served=False), 404)
    assert full_then_fast(fast, "/v1/blobs/ABC", {}, served=False).status_code == 422


def test_each_role_and_the_anonymous_reader_of_a_public_archive_are_answered_fast(
    deployment: Deployment,
) -> None:
    with running_api(deployment, public_read=True) as api:
        version = api.upload(os.urandom(500)).json()
        for path in (
            f"/v1/blobs/{version['blake3']}",
            f"/v1/documents/{version['document_id']}/versions/1/content",
        ):
            for role in Role:
                answer = (
                    full_then_fast(api, path, {}, served=True) if role is Role.READER else api.get(path, role)
                )
                assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
            read_cache(api).clear()
            anonymous = api.client.get(path)
            api.client.get(path)
            before = read_cache(api).served
            assert comparable(api.client.get(path)) == comparable(anonymous)
            assert read_cache(api).served == before + 1
        latest = api.client.get(f"/v1/documents/{version['document_id']}/content")
        assert latest.headers["cache-control"] == "private, no-cache"


def test_a_private_archive_keeps_immutable_bytes_private(fast: Api) -> None:
    version = fast.upload(os.urandom(500)).json()
    answer = full_then_fast(fast, f"/v1/blobs/{version['blake3']}", {}, served=True)
    assert answer.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert fast.client.get(f"/v1/blobs/{version['blake3']}").status_code == 401


def test_a_new_version_is_the_latest_at_once(fast: Api) -> None:
    first = fast.upload(b"first version").json()
    latest = f"/v1/documents/{first['document_id']}/content"
    assert full_then_fast(fast, latest, {}, served=True).content == b"first version"
    added = fast.client.post(
        f"/v1/documents/{first['document_id']}/versions",
        files={"file": ("d.txt", b"second version", "text/plain")},
        headers=fast.auth(),
    )
    assert added.status_code == 201, added.text
    assert fast.get(latest).content == b"second version"


def test_a_revoked_key_is_refused_within_the_bound(fast: Api, clock: Clock) -> None:
    version = fast.upload(os.urandom(100)).json()
    path = f"/v1/blobs/{version['blake3']}"
    fast.get(path)
    with fast.deployment.uow().writing() as uow:
        revoke_key(uow, "test-reader")
    clock.now += context_of(fast).settings.key_cache_seconds
    assert_problem(fast.get(path), 401)
    assert_problem(fast.get(path), 401)


def test_a_copy_rotten_after_it_was_served_is_refused_within_the_bound(fast: Api, clock: Clock) -> None:
    data = os.urandom(2000)
    version = fast.upload(data).json()
    path = f"/v1/documents/{version['document_id']}/versions/1/content"
    assert fast.get(path).content == data
    corrupt_stored_blob(fast.deployment, version["blake3"], flip_one_byte(data))
    assert fast.get(path).content == data  # the bytes verified a moment ago, never the rotten ones
    clock.now += context_of(fast).settings.key_cache_seconds
    assert assert_problem(fast.get(path), 502)["fixity_status"] == "corrupt"
    assert assert_problem(fast.get(f"/v1/blobs/{version['blake3']}"), 502)["fixity_status"] == "corrupt"


def test_large_blobs_and_a_cache_of_nothing_are_the_routes_own(deployment: Deployment) -> None:
    with running_api(deployment, verify_on_read_bytes=1000) as api:
        big, small = api.upload(os.urandom(1001)).json(), api.upload(os.urandom(1000)).json()
        full_then_fast(api, f"/v1/blobs/{big['blake3']}", {}, served=False)
        full_then_fast(api, f"/v1/blobs/{small['blake3']}", {}, served=True)
    with running_api(deployment, "nothing", key_cache_seconds=0) as api:
        full_then_fast(api, f"/v1/blobs/{small['blake3']}", {}, served=False)
    with running_api(deployment, "none", read_cache_bytes=0) as api:
        full_then_fast(api, f"/v1/blobs/{small['blake3']}", {}, served=False)


def test_the_cache_is_bounded(clock: Clock) -> None:
    cache = ReadCache(seconds=1.0, max_bytes=10, max_body=6, clock=clock)

    def answer(size: int) -> Answer:
        return Answer([], b"x" * size, '"e"', None, clock.now + 1)

    cache.put(("a", _reader()), answer(7), cache.generation)
    assert len(cache) == 0  # over max_body
    cache.put(("a", _reader()), answer(6), cache.generation)
    cache.put(("b", _reader()), answer(6), cache.generation)
    assert len(cache) == 1 and cache.get(("b", _reader())) is not None
    stale = cache.generation
    cache.clear()
    cache.put(("c", _reader()), answer(1), stale)
    assert len(cache) == 0  # learned across a clear
    cache.put(("c", _reader()), answer(1), cache.generation)
    clock.now += 1
    assert cache.get(("c", _reader())) is None


def _reader() -> Principal:
    return ANONYMOUS_READER


def test_fast_answers_are_counted_and_logged_under_their_route(fast: Api) -> None:
    version = fast.upload(os.urandom(100)).json()
    path = f"/v1/blobs/{version['blake3']}"
    fast.get(path)
    before = read_cache(fast).served
    answer = fast.get(path, headers={"X-Request-ID": "fast-one"})
    assert read_cache(fast).served == before + 1
    assert answer.headers["x-request-id"] == "fast-one"
    metrics = fast.client.get("/metrics").text
    assert 'method="GET",route="/v1/blobs/{blake3}",status="200"' in metrics


def test_a_busy_answer_and_its_key_are_renewed_before_they_expire(fast: Api, clock: Clock) -> None:
    version = fast.upload(os.urandom(100)).json()
    path = f"/v1/blobs/{version['blake3']}"
    seconds = context_of(fast).settings.key_cache_seconds
    keys = context_of(fast).key_cache
    first = fast.get(path)  # the route checks the key and answers; the answer is kept
    clock.now += seconds * 0.5
    before = read_cache(fast).served
    assert comparable(fast.get(path)) == comparable(first)
    assert read_cache(fast).served == before + 1
    checked = keys.checked
    clock.now += seconds * 0.3  # the last quarter: one request renews the key and the answer
    assert comparable(fast.get(path)) == comparable(first)
    assert read_cache(fast).served == before + 1 and keys.checked == checked + 1
    clock.now += seconds * 0.5  # past the first answer's expiry, within the renewed one's
    assert comparable(fast.get(path)) == comparable(first)
    assert read_cache(fast).served == before + 2 and keys.checked == checked + 1


def test_a_key_revoked_is_refused_from_its_renewal_on(fast: Api, clock: Clock) -> None:
    version = fast.upload(os.urandom(100)).json()
    path = f"/v1/blobs/{version['blake3']}"
    fast.get(path)
    with fast.deployment.uow().writing() as uow:
        revoke_key(uow, "test-reader")
    clock.now += context_of(fast).settings.key_cache_seconds * 0.8
    assert_problem(fast.get(path), 401)
    assert_problem(fast.get(path), 401)
