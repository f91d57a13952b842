"""The log as C2SP tlog-tiles over HTTP: every signed checkpoint's root recomputed from tiles alone, bundles
that hash to the leaves, a partial tile growing full, the same bytes after a restart, caching and access."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from archive.ledger import key_created
from archive.ledger.tiles import decode_bundle
from archive.services.log import append_event, latest_checkpoint
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.test_refusals import assert_problem
from tests.tile_client import Fetch, root_from_tiles, tile_path


def append_leaves(deployment: Deployment, count: int) -> int:
    """`count` more leaves, and a checkpoint signed over them; the new size."""
    with deployment.uow().writing() as uow:
        for n in range(count):
            event = key_created(key_name=f"k{n}", role="reader", time=datetime.now(UTC), actor="test")
            append_event(uow.log, event)
        return latest_checkpoint(uow).tree_size


def fetcher(api: Api, fetched: dict[str, bytes]) -> Fetch:
    def fetch(path: str) -> bytes:
        response = api.get(f"/v1/log/{path}")
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"] == "application/octet-stream"
        fetched[path] = response.content
        return response.content

    return fetch


def signed_roots(deployment: Deployment) -> dict[int, bytes]:
    with deployment.uow().reading() as uow:
        return uow.log.signed_roots()


def test_every_checkpoint_is_recomputed_from_tiles_across_growth_and_restarts(deployment: Deployment) -> None:
    fetched: dict[str, bytes] = {}
    with running_api(deployment) as api:
        api.upload(b"a document")
        api.get("/v1/log/checkpoint")
        for count in (3, 120, 128):  # 256 leaves and beyond: the first tile fills
            append_leaves(deployment, count)
        size = append_leaves(deployment, 40)
        assert size > 256
        for signed, root in signed_roots(deployment).items():
            if signed:
                assert root_from_tiles(fetcher(api, fetched), signed) == root, signed
        full = api.get("/v1/log/tile/0/000")
        assert full.headers["cache-control"] == "private, max-age=31536000, immutable"
        partial_path = tile_path(0, 1, size)
        assert api.get(f"/v1/log/{partial_path}").headers["cache-control"] == "private, max-age=10"

        # Every partial tile an earlier checkpoint used is the start of the tile it grew into.
        for path, data in fetched.items():
            if ".p/" in path:
                grown = api.get(f"/v1/log/{path.split('.p/')[0]}")
                if grown.status_code == 200:
                    assert grown.content.startswith(data), path

        # Bundles hash to the level-0 tile, leaf by leaf.
        for bundle_path, tile in (
            ("tile/entries/000", "tile/0/000"),
            (tile_path("entries", 1, size), partial_path),
        ):
            entries = decode_bundle(api.get(f"/v1/log/{bundle_path}").content)
            hashes = api.get(f"/v1/log/{tile}").content
            assert [hashlib.sha256(b"\x00" + e).digest() for e in entries] == [
                hashes[i : i + 32] for i in range(0, len(hashes), 32)
            ]
        first_entry = api.get("/v1/log/entries/0").json()["entry"].encode()
        assert decode_bundle(api.get("/v1/log/tile/entries/000").content)[0] == first_entry

    with running_api(deployment, key_prefix="again") as api:  # a restarted server
        for path, data in fetched.items():
            assert api.get(f"/v1/log/{path}").content == data, path
        size = append_leaves(deployment, 300)
        assert root_from_tiles(fetcher(api, {}), size) == signed_roots(deployment)[size]


def test_tiles_beyond_the_log_and_malformed_paths_are_refused(api: Api) -> None:
    api.upload(b"one leaf more")
    size = int(api.get("/v1/log/checkpoint").text.split("\n")[1])
    assert size < 255
    assert api.get(f"/v1/log/tile/0/000.p/{size}").status_code == 200
    body = assert_problem(api.get(f"/v1/log/tile/0/000.p/{size + 1}"), 404)
    assert body["tree_size"] == size
    assert_problem(api.get("/v1/log/tile/0/000"), 404)  # not full yet
    assert_problem(api.get("/v1/log/tile/1/000.p/1"), 404)
    assert_problem(api.get("/v1/log/tile/entries/001.p/1"), 404)
    for bad in ("0/1", "0/x001", "0/000.p/256", "64/000", "00/000", "entries/0001", "0/000.p/"):
        assert_problem(api.get(f"/v1/log/tile/{bad}"), 422)


def test_tiles_need_a_reader_key_unless_the_log_is_published(deployment: Deployment) -> None:
    with running_api(deployment) as api:
        api.upload(b"private log")
        for path in ("/v1/log/tile/0/000.p/1", "/v1/log/tile/entries/000.p/1", "/v1/log/checkpoint"):
            assert_problem(api.client.get(path), 401)
        assert api.get("/v1/log/tile/0/000.p/1").status_code == 200
    with running_api(deployment, key_prefix="public", public_log=True) as api:
        for path in (
            "/v1/log/tile/0/000.p/1",
            "/v1/log/tile/entries/000.p/1",
            "/v1/log/checkpoint",
            "/v1/log/key",
        ):
            assert api.client.get(path).status_code == 200, path
        assert api.client.get("/v1/log/tile/0/000.p/1").headers["cache-control"] == "public, max-age=10"
        # Only the log's public parts open up: documents and proofs still need a key.
        assert_problem(api.client.get("/v1/documents"), 401)
        assert_problem(api.client.get("/v1/log/entries/0"), 401)
