"""`archive.client.ArchiveClient` against the real server (and, for failures a server won't produce on
demand, against an `httpx2.MockTransport`)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import blake3
import httpx2
import pytest

from archive.client import ArchiveClient, IntegrityError, NotFound, Unauthorized, Unavailable
from tests.conftest import shared_path
from tests.e2e.server import run_archive, serving

ARTICLE = shared_path("corpus", "seed", "dhs-irs-deputize.txt")
METADATA = {
    "title": "DHS moves to deputize IRS agents",
    "source_url": "https://example.org/news/dhs-irs-deputize",
    "published_at": "2025-02-03",
    "credits": [{"name": "Jane Reporter", "role": "author"}],
}


@dataclass
class Running:
    url: str
    key: str
    workdir: Path


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    workdir = tmp_path_factory.mktemp("client")
    assert run_archive(workdir, "db", "upgrade").returncode == 0
    with serving(workdir) as server:
        made = run_archive(workdir, "keys", "create", "--role", "archivist", "--name", "client")
        assert made.returncode == 0, made.stderr
        yield Running(server.url, made.stdout.strip(), workdir)


@pytest.fixture
def client(running: Running) -> Iterator[ArchiveClient]:
    with ArchiveClient(running.url, running.key, backoff=0.01, max_backoff=0.05) as archive:
        yield archive


def test_upload_fetch_verify_and_receipt(client: ArchiveClient, tmp_path: Path) -> None:
    seed = ARTICLE.read_bytes()
    expected = blake3.blake3(seed).hexdigest()

    version = client.upload(ARTICLE, media_type="text/plain; charset=utf-8", metadata=METADATA)
    assert version["blake3"] == expected
    assert version["size"] == len(seed)
    assert version["source_url"] == METADATA["source_url"]
    assert version["filename"] == ARTICLE.name
    document_id, number = version["document_id"], version["version"]

    document = client.document(document_id)
    assert document["id"] == document_id
    assert document["latest"]["blake3"] == expected
    versions = client.versions(document_id)
    assert [v["version"] for v in versions] == [number]
    assert client.history(document_id) == versions
    assert client.version(document_id, number)["blake3"] == expected

    by_id, by_version, by_digest = tmp_path / "by-id.txt", tmp_path / "by-version.txt", tmp_path / "blob.txt"
    assert client.fetch(document_id, to=by_id) == expected
    assert client.fetch(document_id, version=number, to=by_version) == expected
    assert client.fetch_blob(expected, by_digest) == expected
    for fetched in (by_id, by_version, by_digest):
        assert fetched.read_bytes() == seed
    sink = io.BytesIO()
    assert client.fetch(document_id, version=number, to=sink) == expected
    assert sink.getvalue() == seed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blob.txt", "by-id.txt", "by-version.txt"]

    verified = client.verify_file(by_id)
    assert verified["blake3"] == expected
    assert verified["archived"] is True
    assert client.verify_digest(blake3=expected)["archived"] is True
    assert client.verify_digest(sha256=version["sha256"])["archived"] is True
    assert client.verify_digest(blake3="0" * 64)["archived"] is False

    receipt = client.receipt(document_id, number)
    assert {"entry", "index", "checkpoint"} <= receipt.keys()


def test_a_retried_upload_with_the_same_key_gets_the_same_version(client: ArchiveClient) -> None:
    data = b"An idempotent capture, sent twice.\n"
    first = client.upload(data, filename="twice.txt", media_type="text/plain", idempotency_key="client-twice")
    again = client.upload(data, filename="twice.txt", media_type="text/plain", idempotency_key="client-twice")
    assert again == first
    assert len(client.versions(first["document_id"])) == 1


def test_unknown_id_is_not_found_and_a_bad_key_is_unauthorized(
    client: ArchiveClient, running: Running
) -> None:
    with pytest.raises(NotFound) as missing:
        client.document("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert missing.value.status == 404
    assert missing.value.problem["status"] == 404
    with pytest.raises(NotFound):
        client.fetch_blob("0" * 64, io.BytesIO())

    with ArchiveClient(running.url, "ark_not-a-real-key") as stranger, pytest.raises(Unauthorized) as refused:
        stranger.versions("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert refused.value.status == 401
    assert refused.value.problem["title"]


def test_a_tampered_stream_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    genuine = b"the bytes the archive holds\n"
    digest = blake3.blake3(genuine).hexdigest()

    def tampered(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, content=b"the bytes someone swapped in\n", headers={"ETag": f'"{digest}"'}
        )

    with ArchiveClient("http://archive.test", "k", transport=httpx2.MockTransport(tampered)) as client:
        target = tmp_path / "out" / "article.txt"
        target.parent.mkdir()
        with pytest.raises(IntegrityError):
            client.fetch("01ARZ3NDEKTSV4RRFFQ69G5FAV", version=1, to=target)
        with pytest.raises(IntegrityError):
            client.fetch_blob(digest, target)
        assert list(target.parent.iterdir()) == [], "no partial or temporary file"

        sink = io.BytesIO()
        with pytest.raises(IntegrityError):
            client.fetch("01ARZ3NDEKTSV4RRFFQ69G5FAV", to=sink)
        assert sink.getvalue() == b""


def test_503_and_connection_errors_are_retried_then_succeed(tmp_path: Path) -> None:
    attempts: list[httpx2.Request] = []
    source = tmp_path / "doc.txt"
    source.write_bytes(b"retried upload\n")

    def flaky(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request)
        if len(attempts) == 1:
            raise httpx2.ConnectError("refused", request=request)
        if len(attempts) == 2:
            problem = {"status": 503, "title": "Service unavailable", "detail": "database down"}
            return httpx2.Response(
                503, json=problem, headers={"Retry-After": "60", "Content-Type": "application/problem+json"}
            )
        body = request.read()
        assert b"retried upload" in body, "the file is sent whole on each attempt"
        return httpx2.Response(201, json={"document_id": "D", "version": 1})

    transport = httpx2.MockTransport(flaky)
    with ArchiveClient("http://archive.test", "k", transport=transport, backoff=0.01, max_backoff=0.05) as c:
        assert c.upload(source) == {"document_id": "D", "version": 1}
    assert len(attempts) == 3
    keys = {r.headers["Idempotency-Key"] for r in attempts}
    assert len(keys) == 1, "every attempt carries the same idempotency key"

    attempts.clear()

    def down(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request)
        return httpx2.Response(503, json={"status": 503}, headers={"Retry-After": "1"})

    transport = httpx2.MockTransport(down)
    with (
        ArchiveClient(
            "http://archive.test", transport=transport, retries=3, backoff=0.01, max_backoff=0.02
        ) as c,
        pytest.raises(Unavailable) as unavailable,
    ):
        c.verify_digest(blake3="0" * 64)
    assert unavailable.value.status == 503
    assert unavailable.value.retry_after == 1.0
    assert len(attempts) == 3
    assert json.loads(attempts[0].content) == {"blake3": "0" * 64}
