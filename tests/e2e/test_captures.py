"""Capture by URL, against a real publisher in the test run's own network namespace, on both deployments.

No test sends a packet outside loopback and that namespace: the app resolves names only through a
`NameTable` holding the tests' own names, URLs name the publisher or 127.0.0.x, and the refusals of
private, link-local and metadata addresses are proven with names that resolve to them and a connector
that fails the test if it is ever asked to connect.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import blake3
import pytest

from archive.capture.warc import read_records
from archive.roles import Role
from tests.conftest import Deployment, free_port
from tests.e2e.conftest import Api, running_api
from tests.e2e.publishing import Publisher

CAPTURE_TIMEOUT_SECONDS = 60


class NeverConnect:
    """A connector that fails the test if the fetcher ever asks it to connect."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.asked.append((host, port))
        pytest.fail(f"the fetcher tried to connect to {host}:{port}")


def wait_for_capture(
    api: Api, capture_id: str, *, until: tuple[str, ...] = ("done", "failed")
) -> dict[str, Any]:
    deadline = time.monotonic() + CAPTURE_TIMEOUT_SECONDS
    while True:
        answer = api.get(f"/v1/captures/{capture_id}")
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] in until:
            return dict(answer.json())
        assert time.monotonic() < deadline, f"the capture did not finish: {answer.json()}"
        time.sleep(0.1)


def capture(api: Api, url: str, **body: Any) -> dict[str, Any]:
    asked = api.client.post("/v1/captures", json={"url": url, **body}, headers=api.auth(Role.ARCHIVIST))
    assert asked.status_code == 202, asked.text
    assert asked.headers["location"] == f"/v1/captures/{asked.json()['id']}"
    assert asked.json()["status"] == "queued"
    return wait_for_capture(api, asked.json()["id"])


@pytest.fixture
def capturing(deployment: Deployment, publisher: Publisher) -> Iterator[Api]:
    names = {"metadata_test": "169.254.169.254", "loopback_test": "127.0.0.2"}
    with running_api(
        deployment,
        resolver=publisher.resolver(**names),
        capture_allow_networks=publisher.network,
        capture_max_bytes=200_000,
        capture_timeout_seconds=10,
    ) as api:
        yield api


def test_a_captured_page_is_a_version_with_its_warc(capturing: Api, publisher: Publisher) -> None:
    url = publisher.url("/steady")
    done = capture(capturing, url, note="first look")
    assert done["status"] == "done", done
    assert (done["final_url"], done["http_status"], done["version"], done["error"]) == (url, 200, 1, None)
    version = capturing.get(f"/v1/documents/{done['document_id']}/versions/1").json()
    assert version["source_url"] == url
    assert version["note"] == "first look"
    assert version["title"] == "Flood waters recede in the river valley"
    assert [c["name"] for c in version["credits"] if c["role"] == "author"] == ["Maria Lindqvist"]
    assert version["media_type"] == "text/html; charset=utf-8"
    assert version["log_index"] is not None
    body = capturing.get(f"/v1/documents/{done['document_id']}/versions/1/content").content

    warc = capturing.get(done["warc_url"])
    assert warc.status_code == 200
    assert warc.headers["content-type"] == "application/warc"
    records = read_records(io.BytesIO(warc.content))
    assert [kind for kind, _, _ in records] == ["warcinfo", "response", "request", "metadata"]
    _, response_headers, payload = records[1]
    assert payload == body
    assert response_headers["WARC-Target-URI"] == url
    assert response_headers["WARC-Payload-Digest"].startswith("sha1:")
    assert response_headers["WARC-IP-Address"] == publisher.address
    assert b"User-Agent: archive-capture" in warc.content
    metadata = records[3][2].decode()
    assert f"blake3: {version['blake3']}" in metadata
    assert f"sha256: {version['sha256']}" in metadata


def test_one_request_at_a_time_per_host(capturing: Api, publisher: Publisher) -> None:
    key = uuid.uuid4().hex
    asked = [
        capturing.client.post(
            "/v1/captures",
            json={"url": publisher.url(f"/slow?seconds=0.5&n={n}&key={key}")},
            headers=capturing.auth(Role.ARCHIVIST),
        )
        for n in range(3)
    ]
    done = [wait_for_capture(capturing, answer.json()["id"]) for answer in asked]
    assert [capture["status"] for capture in done] == ["done"] * 3
    assert publisher.most_at_once(key) == 1  # the worker runs four jobs at once, but one per host


def test_a_coded_page_is_kept_decoded_and_a_redirect_is_followed(
    capturing: Api, publisher: Publisher
) -> None:
    target = publisher.url("/gzip")
    done = capture(capturing, publisher.url(f"/redirect?to={target}"))
    assert done["status"] == "done", done
    assert done["final_url"] == target
    content = capturing.get(f"/v1/documents/{done['document_id']}/content").content
    assert content.startswith(b"<!doctype html>")
    records = read_records(io.BytesIO(capturing.get(done["warc_url"]).content))
    assert [kind for kind, _, _ in records] == [
        "warcinfo",
        "response",
        "request",
        "response",
        "request",
        "metadata",
    ]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://0x7f000001/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fe80::1]/", "link-local"),
        ("http://10.0.0.8/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://100.64.0.1/", "shared"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://user:secret@news.publisher.test/", "user name"),
    ],
)
def test_a_url_refused_by_what_it_says_is_a_422_and_queues_nothing(
    capturing: Api, url: str, reason: str
) -> None:
    refused = capturing.client.post("/v1/captures", json={"url": url}, headers=capturing.auth(Role.ARCHIVIST))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert reason in refused.json()["detail"]
    assert refused.json()["url"] == url


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "gopher://news.publisher.test/", "ftp://news.publisher.test/", "http:///nohost"],
)
def test_a_url_that_is_not_absolute_http_is_refused_by_its_schema(capturing: Api, url: str) -> None:
    for path, body in [
        ("/v1/captures", {"url": url}),
        ("/v1/watches", {"url": url, "interval_seconds": 3600}),
    ]:
        refused = capturing.client.post(path, json=body, headers=capturing.auth(Role.ARCHIVIST))
        assert refused.status_code == 422, refused.text
        assert "must be an absolute http:// or https:// URL" in refused.json()["detail"]
    listed = capturing.client.get("/v1/watches", headers=capturing.auth(Role.ARCHIVIST)).json()
    assert listed["watches"] == []


def test_names_that_resolve_inside_are_refused_without_a_connection(
    capturing: Api, publisher: Publisher
) -> None:
    never = NeverConnect()
    capturing.client.app.state.context.fetcher.connector = never  # type: ignore[attr-defined]
    for url, reason in [
        ("http://metadata.test/latest/meta-data/", "cloud metadata"),
        ("http://loopback.test/", "loopback"),
        ("http://example.com/", "not one this archive resolves"),
    ]:
        asked = capturing.client.post(
            "/v1/captures", json={"url": url}, headers=capturing.auth(Role.ARCHIVIST)
        )
        assert asked.status_code == 202, asked.text
        failed = wait_for_capture(capturing, asked.json()["id"])
        assert failed["status"] == "failed"
        assert reason in failed["error"]
        assert failed["version"] is None and failed["warc_url"] is None
    assert never.asked == []


def test_a_redirect_inside_fails_the_capture(capturing: Api, publisher: Publisher) -> None:
    failed = capture(capturing, publisher.url("/redirect?to=http://169.254.169.254/latest/"))
    assert failed["status"] == "failed"
    assert "metadata" in failed["error"]
    looped = capture(capturing, publisher.url("/loop"))
    assert "more than 5 redirects" in looped["error"]


def test_bounds_and_a_busy_publisher(capturing: Api, publisher: Publisher) -> None:
    big = capture(capturing, publisher.url("/big"))
    assert big["status"] == "failed"
    assert "larger than the limit of 200000 bytes" in big["error"]
    missing = capture(capturing, publisher.url("/nowhere"))
    assert (missing["status"], missing["http_status"]) == ("failed", 404)
    asked = capturing.client.post(
        "/v1/captures", json={"url": publisher.url("/busy")}, headers=capturing.auth(Role.ARCHIVIST)
    )
    deadline = time.monotonic() + CAPTURE_TIMEOUT_SECONDS
    while "tried again" not in (capturing.get(asked.headers["location"]).json()["error"] or ""):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    waiting = capturing.get(asked.headers["location"]).json()
    assert waiting["status"] == "queued"
    assert "503" in waiting["error"] and "120 seconds" in waiting["error"]


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        body = f"<html><title>Served as {host}</title><p>A page.</p></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def loopback_servers() -> Iterator[dict[str, int]]:
    """Pages on 127.0.0.2 and 127.0.0.3: loopback, the second one allowed by the tests."""
    servers = {host: ThreadingHTTPServer((host, free_port()), _Page) for host in ("127.0.0.2", "127.0.0.3")}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {host: server.server_address[1] for host, server in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


def test_loopback_is_refused_while_an_allowed_address_works(
    deployment: Deployment, loopback_servers: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"):  # ignored: trust_env=False
        monkeypatch.setenv(proxy, "http://127.0.0.9:9")
    from archive.capture import NameTable  # noqa: PLC0415

    resolver = NameTable({"refused.test": ("127.0.0.2",)})
    with running_api(deployment, resolver=resolver, capture_allow_networks="127.0.0.3/32") as api:
        port = loopback_servers["127.0.0.2"]
        refused = api.client.post(
            "/v1/captures", json={"url": f"http://127.0.0.2:{port}/"}, headers=api.auth(Role.ARCHIVIST)
        )
        assert refused.status_code == 422
        assert "loopback" in refused.json()["detail"]
        by_name = capture(api, f"http://refused.test:{port}/")
        assert by_name["status"] == "failed" and "loopback" in by_name["error"]
        allowed = capture(api, f"http://127.0.0.3:{loopback_servers['127.0.0.3']}/")
        assert allowed["status"] == "done", allowed
        assert allowed["version"] == 1


def test_unknown_captures_and_roles(capturing: Api) -> None:
    assert capturing.get("/v1/captures/01ARZ3NDEKTSV4RRFFQ69G5FAV").status_code == 404
    assert capturing.get("/v1/captures/not-an-id").status_code == 422
    assert capturing.get("/v1/captures/01ARZ3NDEKTSV4RRFFQ69G5FAV/warc").status_code == 404
    as_reader = capturing.client.post(
        "/v1/captures", json={"url": "http://news.publisher.test/"}, headers=capturing.auth(Role.READER)
    )
    assert as_reader.status_code == 403
    unknown_document = capturing.client.post(
        "/v1/captures",
        json={"url": "http://news.publisher.test/", "document_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
        headers=capturing.auth(Role.ARCHIVIST),
    )
    assert unknown_document.status_code == 404


def test_a_documents_captures_export_as_a_wacz_that_validates(
    capturing: Api, publisher: Publisher, tmp_path: Path
) -> None:
    first = capture(capturing, publisher.url(f"/corrected?key={uuid.uuid4().hex}"))
    document_id = first["document_id"]
    again = capture(capturing, publisher.url(f"/steady?key={uuid.uuid4().hex}"), document_id=document_id)
    assert (again["status"], again["document_id"], again["version"]) == ("done", document_id, 2)

    exported = capturing.get(f"/v1/documents/{document_id}/export", params={"format": "wacz"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/wacz"
    assert exported.headers["content-disposition"] == f'attachment; filename="{document_id}.wacz"'
    wacz = tmp_path / "captures.wacz"
    wacz.write_bytes(exported.content)
    with zipfile.ZipFile(wacz) as packed:
        names = packed.namelist()
        pages = packed.read("pages/pages.jsonl").decode().splitlines()
    assert len(pages) == 3  # the list's header, then each capture's page
    assert sum(name.startswith("archive/") and name.endswith(".warc") for name in names) == 2
    assert {"datapackage.json", "indexes/index.cdx.gz", "pages/pages.jsonl"} <= set(names)
    # py-wacz's validator, run inside the publisher's namespace: whatever it reaches for, it reaches nothing
    validated = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            publisher.namespace,
            sys.executable,
            "-m",
            "wacz",
            "validate",
            "-f",
            str(wacz),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "the passed WACZ is valid" in validated.stdout

    uploaded = capturing.upload(b"A note typed by hand.\n")
    hand_made = uploaded.json()["document_id"]
    assert capturing.get(f"/v1/documents/{hand_made}/export", params={"format": "wacz"}).status_code == 404
    assert capturing.get(f"/v1/documents/{hand_made}/export", params={"format": "tar"}).status_code == 422


class Rebinding:
    """A resolver that answers the publisher once, then a loopback address: a name rebound after it was
    checked. The fetch must connect to the address it checked, asking once."""

    def __init__(self, first: str) -> None:
        self.answers = [first]
        self.asked = 0

    def resolve(self, host: str) -> list[Any]:
        import ipaddress  # noqa: PLC0415

        self.asked += 1
        return [ipaddress.ip_address(self.answers[0] if self.asked == 1 else "127.0.0.1")]


def test_the_checked_address_is_the_one_connected_to(deployment: Deployment, publisher: Publisher) -> None:
    rebinding = Rebinding(publisher.address)
    with running_api(deployment, resolver=rebinding, capture_allow_networks=publisher.network) as api:
        done = capture(api, f"http://rebinding.test:{publisher.port}/steady?key={uuid.uuid4().hex}")
        assert done["status"] == "done", done
        records = read_records(io.BytesIO(api.get(done["warc_url"]).content))
        assert records[1][1]["WARC-IP-Address"] == publisher.address
    assert rebinding.asked == 1


def test_a_fetch_has_a_deadline(deployment: Deployment, publisher: Publisher) -> None:
    with running_api(
        deployment,
        resolver=publisher.resolver(),
        capture_allow_networks=publisher.network,
        capture_timeout_seconds=1,
    ) as api:
        slow = capture(api, publisher.url(f"/slow?seconds=3&key={uuid.uuid4().hex}"))
    assert slow["status"] == "failed"
    assert "timed out" in slow["error"] or "longer than 1 seconds" in slow["error"]


def test_the_warc_of_a_withdrawn_version_is_gone_below_admin(capturing: Api, publisher: Publisher) -> None:
    done = capture(capturing, publisher.url("/steady"))
    assert done["status"] == "done", done
    withdrawn = capturing.client.post(
        f"/v1/documents/{done['document_id']}/withdrawal",
        json={"reason": "takedown notice"},
        headers=capturing.auth(Role.ADMIN),
    )
    assert withdrawn.status_code == 201, withdrawn.text
    gone = capturing.get(done["warc_url"])
    assert gone.status_code == 410 and gone.json()["reason"] == "takedown notice"
    warc = capturing.get(done["warc_url"], role=Role.ADMIN)
    assert warc.status_code == 200
    by_digest = f"/v1/blobs/{blake3.blake3(warc.content).hexdigest()}"
    assert capturing.get(by_digest).status_code == 410  # by its digest too
    assert capturing.get(by_digest, role=Role.ADMIN).content == warc.content
