"""Version history: re-captures, corrections, diffs and Memento, through the API."""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from memento_client import MementoClient

from archive.db.session import Database
from archive.digests import spool_stream
from archive.extract import ProcessExtractor
from archive.services.documents import list_versions
from archive.services.ingest import Upload, ingest_document
from archive.services.metadata import SuppliedMetadata
from tests.conftest import Deployment, production_deployment, shared_path
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive, serving
from tests.e2e.test_refusals import assert_problem

V1 = shared_path("corpus", "seed", "dhs-irs-deputize.txt")
V2 = shared_path("corpus", "seed", "dhs-irs-deputize.v2.txt")
SOURCE_URL = "https://www.theepochtimes.com/us/dhs-looks-to-deputize-irs-agents-5806543"


def upload_seed(api: Api, path: Path) -> dict[str, Any]:
    response = api.upload(path.read_bytes(), metadata={"source_url": SOURCE_URL}, media_type="text/plain")
    assert response.status_code in (200, 201), response.text
    version: dict[str, Any] = response.json()
    return version


def test_recapture_correction_and_diff(api: Api) -> None:
    first = upload_seed(api, V1)
    second = upload_seed(api, V2)
    assert second["document_id"] == first["document_id"]
    assert (first["version"], second["version"]) == (1, 2)
    document_id = first["document_id"]

    [updated] = [n for n in second["update_notices"] if n["kind"] == "updated"]
    assert updated["text"] == "Updated: Feb. 11, 2025, 4:32 PM ET"
    assert datetime.fromisoformat(updated["date"]) == datetime.fromisoformat("2025-02-11T16:32:00-05:00")
    assert any(n["kind"] == "corrected" for n in second["update_notices"])

    again = api.upload(V2.read_bytes(), metadata={"source_url": SOURCE_URL}, media_type="text/plain")
    assert again.status_code == 200
    assert again.json()["version"] == 2
    assert api.version_count() == 2

    diff = api.get(f"/v1/documents/{document_id}/diff", params={"from": "1", "to": "2"}).json()
    assert diff["from"] == 1 and diff["to"] == 2
    changes = diff["text"]["changes"]
    assert [(c["kind"], c["from_lines"], c["to_lines"]) for c in changes] == [
        ("replace", [7, 7], [7, 7]),
        ("replace", [20, 20], [20, 20]),
        ("insert", [22, 22], [23, 24]),
    ]
    assert changes[0]["added"] == ["Updated: Feb. 11, 2025, 4:32 PM ET"]
    assert "+The IRS has 2,100 law enforcement officers" in diff["text"]["unified"]
    assert {f["field"] for f in diff["fields"]} == {"blake3"}
    assert diff["update_notices"]["added"]

    correction = {"credits": [{"name": "Samantha Flom", "role": "author"}], "note": "Credit corrected"}
    corrected = api.client.post(f"/v1/documents/{document_id}/versions", json=correction, headers=api.auth())
    assert corrected.status_code == 201, corrected.text
    third = corrected.json()
    assert third["version"] == 3
    assert third["blake3"] == second["blake3"]
    assert third["note"] == "Credit corrected"
    assert third["source_url"] == SOURCE_URL
    assert [c["source"] for c in third["credits"] if c["role"] == "author"] == ["supplied"]
    same_again = api.client.post(
        f"/v1/documents/{document_id}/versions", json={"credits": correction["credits"]}, headers=api.auth()
    )
    assert same_again.status_code == 200
    assert same_again.json()["version"] == 3

    versions = api.get(f"/v1/documents/{document_id}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    metadata_diff = api.get(f"/v1/documents/{document_id}/diff", params={"from": "2", "to": "3"}).json()
    assert metadata_diff["text"]["changes"] == []
    assert metadata_diff["fields"] == []


def test_new_version_by_upload_to_the_document(api: Api) -> None:
    first = api.upload(b"first capture").json()
    response = api.client.post(
        f"/v1/documents/{first['document_id']}/versions",
        files={"file": ("b.txt", b"second capture", "text/plain")},
        headers=api.auth(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    unknown = api.client.post(
        "/v1/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV/versions",
        files={"file": ("b.txt", b"x")},
        headers=api.auth(),
    )
    assert_problem(unknown, 404)
    bad = api.client.post(
        f"/v1/documents/{first['document_id']}/versions",
        json={"credits": [{"role": "x"}]},
        headers=api.auth(),
    )
    assert_problem(bad, 422)


def test_memento_headers_timemap_and_timegate(api: Api) -> None:
    first = upload_seed(api, V1)
    time.sleep(0.01)
    second = upload_seed(api, V2)
    document_id = first["document_id"]

    content = api.get(f"/v1/documents/{document_id}/versions/1/content")
    archived = datetime.fromisoformat(first["archived_at"])
    assert content.headers["memento-datetime"] == format_datetime(archived, usegmt=True)
    link = content.headers["link"]
    for rel in ('rel="original"', 'rel="timegate"', 'rel="timemap"', "memento"):
        assert rel in link
    assert f"<{SOURCE_URL}>" in link

    timemap = api.get(f"/memento/timemap/link/{SOURCE_URL}")
    assert timemap.status_code == 200
    assert timemap.headers["content-type"].startswith("application/link-format")
    assert len(re.findall(r'rel="[a-z ]*memento"', timemap.text)) == 2
    assert f"/v1/documents/{document_id}/versions/1/content" in timemap.text
    assert api.get(f"/v1/documents/{document_id}/timemap").text == timemap.text

    before_second = datetime.fromisoformat(second["archived_at"]) - timedelta(microseconds=1)
    # HTTP dates have whole seconds: ask for a moment before version 1 to land on the first memento
    early = format_datetime(archived - timedelta(days=1), usegmt=True)
    for path in (f"/memento/timegate/{SOURCE_URL}", f"/v1/documents/{document_id}/timegate"):
        gate = api.get(path, headers={"Accept-Datetime": early}, follow_redirects=False)
        assert gate.status_code == 302
        assert gate.headers["location"].endswith(f"/v1/documents/{document_id}/versions/1/content")
        assert gate.headers["vary"] == "accept-datetime"
        latest = api.get(path, follow_redirects=False)
        assert latest.headers["location"].endswith("/versions/2/content")
    assert before_second > archived
    # Only an rfc1123-date in GMT naming a real day (RFC 7089), read strictly.
    for malformed in (
        "yesterday",
        "Sat, 31 Feb 2025 10:00:00 GMT",
        "Tue, 04 Feb 2025 10:00:00 +0000",
        "Tue, 04 Feb 2025 10:00 GMT",
        "Tue, 04 Feb 0000 10:00:00 GMT",
    ):
        refused = api.get(f"/memento/timegate/{SOURCE_URL}", headers={"Accept-Datetime": malformed})
        assert_problem(refused, 400)
    ancient = api.get(
        f"/memento/timegate/{SOURCE_URL}",
        headers={"Accept-Datetime": "Mon, 04 Feb 0050 10:00:00 GMT"},
        follow_redirects=False,
    )
    assert ancient.status_code == 302 and ancient.headers["location"].endswith("/versions/1/content")
    assert_problem(api.get("/memento/timegate/https://nowhere.example/x"), 404)


def _links(value: str) -> list[dict[str, str]]:
    """A Link header or a link-format body, parsed as a client parses it."""
    return requests.utils.parse_header_links(value.replace("\n", ""))


def test_an_original_url_outside_ascii_is_written_as_a_uri(api: Api) -> None:
    iri = "https://example.org/新闻/€?a=1;b=2,c"
    uri = "https://example.org/%E6%96%B0%E9%97%BB/%E2%82%AC?a=1%3Bb=2%2Cc"
    response = api.upload(V1.read_bytes(), metadata={"source_url": iri}, media_type="text/plain")
    assert response.status_code == 201, response.text
    document_id = response.json()["document_id"]
    assert api.get(f"/v1/documents/{document_id}").json()["source_url"] == iri  # stored as given

    content = api.get(f"/v1/documents/{document_id}/versions/1/content")
    assert content.status_code == 200
    links = _links(content.headers["link"])
    assert [link["url"] for link in links if link["rel"] == "original"] == [uri]
    assert len(links) == 4  # original, timegate, timemap, memento: the ";" and "," split nothing
    timemap = api.get(f"/v1/documents/{document_id}/timemap")
    parsed = _links(timemap.text)
    assert [link["rel"] for link in parsed] == ["original", "timegate", "self", "first last memento"]
    assert parsed[0]["url"] == uri
    gate = api.get(f"/memento/timegate/{iri}", follow_redirects=False)
    assert gate.status_code == 302
    assert gate.headers["location"] == f"/v1/documents/{document_id}/versions/1/content"
    for rel in ("timegate", "timemap"):  # the archive's own links, with their escapes, lead back to it
        [link] = [link["url"] for link in links if link["rel"] == rel]
        assert api.get(link, follow_redirects=False).status_code in (200, 302), link


@pytest.mark.parametrize(
    "forged",
    [
        'https://example.org/a>; rel="memento"; datetime="Mon, 01 Jan 2024 00:00:00 GMT", <https://evil.example/',
        'https://example.org/a"b',
        "https://example.org/a b",
        "https://example.org/a{b}|c^d`e\\f",
    ],
)
def test_an_original_url_that_would_forge_links_is_refused(api: Api, forged: str) -> None:
    response = api.upload(V1.read_bytes(), metadata={"source_url": forged}, media_type="text/plain")
    assert_problem(response, 422)
    assert "source_url" in response.text
    assert api.version_count() == 0


def test_the_timegate_does_not_build_urls_from_the_host_header(deployment: Deployment) -> None:
    with running_api(deployment) as api:
        document_id = upload_seed(api, V1)["document_id"]
        headers = {"Host": "evil.example"}
        gate = api.get(f"/v1/documents/{document_id}/timegate", headers=headers, follow_redirects=False)
        assert gate.status_code == 302
        assert gate.headers["location"] == f"/v1/documents/{document_id}/versions/1/content"
        assert "evil.example" not in gate.headers["link"]
    with running_api(deployment, key_prefix="public", public_url="https://archive.example.org") as api:
        gate = api.get(f"/v1/documents/{document_id}/timegate", headers=headers, follow_redirects=False)
        location = f"https://archive.example.org/v1/documents/{document_id}/versions/1/content"
        assert gate.headers["location"] == location
        assert "evil.example" not in gate.headers["link"]
        timemap = api.get(f"/memento/timemap/link/{SOURCE_URL}", headers=headers)
        assert "evil.example" not in timemap.text
        assert f"<{location}>" in timemap.text


def test_memento_client_browses_the_history(tmp_path: Path) -> None:
    """A real Memento client, unchanged, against the real server."""
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "m").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    with serving(tmp_path) as server:
        # The original URL is on this machine: the client asks it whether it is itself a memento.
        original = f"{server.url}/articles/dhs-looks-to-deputize-irs-agents"
        times = []
        for path in (V1, V2):
            response = requests.post(
                f"{server.url}/v1/documents",
                files={"file": (path.name, path.read_bytes(), "text/plain")},
                data={"metadata": f'{{"source_url": "{original}"}}'},
                headers=headers,
                timeout=30,
            )
            assert response.status_code == 201, response.text
            times.append(datetime.fromisoformat(response.json()["archived_at"]))
            time.sleep(1.1)  # HTTP dates have whole seconds
        session = requests.Session()
        session.headers.update(headers)
        client = MementoClient(
            timegate_uri=f"{server.url}/memento/timegate/", check_native_timegate=False, session=session
        )
        before_v2 = (times[1] - timedelta(seconds=1)).replace(tzinfo=None)
        document_id = response.json()["document_id"]
        by_document = session.get(
            f"{server.url}/v1/documents/{document_id}/timegate",
            headers={"Accept-Datetime": format_datetime(times[1] - timedelta(seconds=1), usegmt=True)},
            allow_redirects=False,
            timeout=30,
        )
        assert by_document.status_code == 302
        assert by_document.headers["location"].endswith("/versions/1/content")
        info = client.get_memento_info(original, before_v2)
        assert info["mementos"]["closest"]["uri"][0].endswith("/versions/1/content")
        assert info["original_uri"] == original
        now = datetime.now(UTC).replace(tzinfo=None)
        latest = client.get_memento_info(original, now)
        assert latest["mementos"]["closest"]["uri"][0].endswith("/versions/2/content")
        assert latest["mementos"]["closest"]["datetime"] == times[1].replace(microsecond=0, tzinfo=None)


@pytest.mark.postgres
def test_concurrent_versions_never_share_a_number(
    pg_database: Database, pg_url: str, s3_endpoint: str, tmp_path: Path
) -> None:
    """Eight writers race to add versions to one document on PostgreSQL: none lost, none doubled."""
    deployment = production_deployment(pg_database, pg_url, s3_endpoint)
    extractor = ProcessExtractor()

    def add(data: bytes, name: str, document_id: str | None = None) -> str:
        spooled = spool_stream(io.BytesIO(data), tmp_path)
        upload = Upload(spooled, "application/octet-stream", name, SuppliedMetadata(), name, document_id)
        version = ingest_document(deployment.uow(extractor=extractor), upload).version
        return version.document_id

    document_id = add(b"first", "first")
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for k in range(4):
                add(os.urandom(64), f"w{n}-{k}", document_id)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    extractor.close()
    assert errors == []
    with deployment.uow().reading() as uow:
        versions = list_versions(uow, document_id)
        numbers = [v.number for v in versions]
        writers = sorted(v.archived_by for v in versions[1:])
    assert numbers == list(range(1, 34))
    assert writers == sorted(f"w{n}-{k}" for n in range(8) for k in range(4))


def test_cli_history_and_diff(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "h").stdout.strip()
    with serving(tmp_path) as server:
        for path in (V1, V2):
            response = requests.post(
                f"{server.url}/v1/documents",
                files={"file": (path.name, path.read_bytes(), "text/plain")},
                data={"metadata": f'{{"source_url": "{SOURCE_URL}"}}'},
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            )
            assert response.status_code == 201
        document_id = response.json()["document_id"]

    table = run_archive(tmp_path, "history", document_id)
    assert table.returncode == 0, table.stderr
    assert "Updated:" in table.stdout
    assert re.search(r"^\W+1\W+20\d\d-", table.stdout, re.MULTILINE), table.stdout
    assert re.search(r"^\W+2\W+20\d\d-", table.stdout, re.MULTILINE), table.stdout
    listed = json.loads(run_archive(tmp_path, "history", document_id, "--json").stdout)
    assert [v["version"] for v in listed["versions"]] == [1, 2]
    assert listed["versions"][1]["notices"][0] == "Updated: Feb. 11, 2025, 4:32 PM ET"
    assert listed["versions"][1]["notice_dates"][0] == "2025-02-11T21:32:00+00:00"
    assert {v["archived_by"] for v in listed["versions"]} == {"h"}

    diffed = run_archive(tmp_path, "diff", document_id, "1", "2")
    assert diffed.returncode == 0
    assert "-The IRS has 2,290" in diffed.stdout
    assert "+The IRS has 2,100" in diffed.stdout
    assert "notice added: Updated: Feb. 11, 2025, 4:32 PM ET" in diffed.stdout
    missing = run_archive(tmp_path, "diff", document_id, "1", "9")
    assert missing.returncode == 1
    assert "has no version 9" in missing.stderr
