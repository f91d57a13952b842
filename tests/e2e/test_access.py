"""Restricted and embargoed documents, on both deployments: hidden (404, as if absent) from every caller
below admin without a grant, in lists, searches, agents' credits and Memento as on every content route;
an embargo ends by itself at its time; each change is a leaf of the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2

from archive.ledger import parse_entry
from archive.roles import Role
from tests.e2e.conftest import Api, running_api

SOURCE_URL = "https://example.org/reports/2026/under-embargo"
REPORT = b"An embargoed report\n\nBy Grace Example\n\nIts findings, not yet public.\n"


def archived(api: Api, data: bytes = REPORT, source_url: str = SOURCE_URL) -> dict[str, Any]:
    metadata = {
        "source_url": source_url,
        "title": "An embargoed report",
        "credits": [{"name": "Grace Example", "role": "author"}],
    }
    made = api.upload(data, metadata=metadata)
    assert made.status_code == 201, made.text
    return dict(made.json())


def set_access(api: Api, document_id: str, **body: Any) -> httpx2.Response:
    return api.client.put(f"/v1/documents/{document_id}/access", json=body, headers=api.auth(Role.ADMIN))


def seen_by(api: Api, version: dict[str, Any], role: Role) -> dict[str, bool]:
    """Where the document shows for `role`: its record, its bytes, the list, a search, Memento, its agent."""
    document_id = version["document_id"]
    listed = api.get("/v1/documents", role=role, params={"limit": "100"}).json()["documents"]
    found = api.get("/v1/search", role=role, params={"q": "findings"}).json()["results"]
    agent = api.get(f"/v1/agents/{version['credits'][0]['agent_id']}", role=role).json()
    return {
        "record": api.get(f"/v1/documents/{document_id}", role=role).status_code == 200,
        "bytes": api.get(f"/v1/documents/{document_id}/content", role=role).status_code == 200,
        "blob": api.get(f"/v1/blobs/{version['blake3']}", role=role).status_code == 200,
        "list": any(d["id"] == document_id for d in listed),
        "search": any(r["document_id"] == document_id for r in found),
        "memento": api.get(f"/memento/timemap/link/{SOURCE_URL}", role=role).status_code == 200,
        "agent": any(c["document_id"] == document_id for c in agent["credits"]),
    }


EVERYWHERE = dict.fromkeys(("record", "bytes", "blob", "list", "search", "memento", "agent"), True)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


def test_a_restricted_document_is_seen_only_by_admins_and_granted_keys(api: Api) -> None:
    version = archived(api)
    document_id = version["document_id"]
    assert seen_by(api, version, Role.READER) == EVERYWHERE
    changed = set_access(api, document_id, restricted=True)
    assert changed.status_code == 200 and changed.json()["restricted"] is True
    for role in (Role.READER, Role.AUDITOR, Role.ARCHIVIST):
        assert seen_by(api, version, role) == NOWHERE, role
    hidden = api.get(f"/v1/documents/{document_id}")
    assert hidden.status_code == 404 and hidden.json()["detail"] == f"no document with id {document_id}"
    assert seen_by(api, version, Role.ADMIN) == EVERYWHERE
    # Writing to it is refused as reading it is: it is not found.
    correction = api.client.post(
        f"/v1/documents/{document_id}/versions", json={"title": "x"}, headers=api.auth(Role.ARCHIVIST)
    )
    assert correction.status_code == 404
    # Nor may an upload reach it through its original URL (which would add a version or answer with it).
    again = api.upload(REPORT, metadata={"source_url": SOURCE_URL}, role=Role.ARCHIVIST)
    assert again.status_code == 409 and "may not see" in again.json()["detail"], again.text
    by_admin = api.upload(REPORT, metadata={"source_url": SOURCE_URL}, role=Role.ADMIN)
    assert by_admin.status_code == 201 and by_admin.json()["document_id"] == document_id

    grants = f"/v1/documents/{document_id}/grants"
    assert api.client.put(f"{grants}/no-such-key", headers=api.auth(Role.ADMIN)).status_code == 404
    granted = api.client.put(f"{grants}/test-reader", headers=api.auth(Role.ADMIN))
    assert granted.status_code == 200 and granted.json()["grants"] == ["test-reader"]
    assert seen_by(api, version, Role.READER) == EVERYWHERE
    assert seen_by(api, version, Role.ARCHIVIST) == NOWHERE  # a grant is to one key, not to a role
    assert api.client.delete(f"{grants}/test-reader", headers=api.auth(Role.ADMIN)).status_code == 200
    assert seen_by(api, version, Role.READER) == NOWHERE

    log = [parse_entry(e["entry"].encode()) for e in entries_after(api, version["log_index"])]
    assert [e["type"] for e in log] == ["access.changed", "access.granted", "access.revoked"]
    assert log[0]["restricted"] is True and log[1]["key_name"] == "test-reader"


def entries_after(api: Api, index: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while (entry := api.get(f"/v1/log/entries/{index + 1 + len(found)}")).status_code == 200:
        found.append(entry.json())
    return [e for e in found if parse_entry(e["entry"].encode())["type"].startswith("access.")]


def test_an_embargo_hides_a_document_until_its_time_then_ends_by_itself(api: Api) -> None:
    version = archived(api)
    document_id = version["document_id"]
    later = datetime.now(UTC) + timedelta(days=30)
    naive = set_access(api, document_id, restricted=False, embargoed_until="2030-01-01T00:00:00")
    assert naive.status_code == 422  # a time without an offset is ambiguous
    embargoed = set_access(api, document_id, restricted=False, embargoed_until=later.isoformat())
    assert embargoed.status_code == 200, embargoed.text
    for role in (Role.READER, Role.AUDITOR, Role.ARCHIVIST):
        assert seen_by(api, version, role) == NOWHERE, role
    assert seen_by(api, version, Role.ADMIN) == EVERYWHERE
    # An embargo whose time has come serves the document: nothing has to run for it to end.
    ended = datetime.now(UTC) - timedelta(seconds=1)
    lifted = set_access(api, document_id, restricted=False, embargoed_until=ended.isoformat())
    assert lifted.status_code == 200
    assert seen_by(api, version, Role.READER) == EVERYWHERE
    record = api.get(f"/v1/documents/{document_id}/governance", role=Role.ADMIN).json()
    assert record["embargoed_until"] is not None and record["restricted"] is False


def test_an_anonymous_reader_of_a_public_archive_sees_no_hidden_document(api: Api) -> None:
    version = archived(api)
    assert set_access(api, version["document_id"], restricted=True).status_code == 200
    with running_api(api.deployment, key_prefix="public", public_read=True) as public:
        anonymous = public.client.get(f"/v1/documents/{version['document_id']}")
        assert anonymous.status_code == 404
        assert public.client.get(f"/v1/blobs/{version['blake3']}").status_code == 404
        listed = public.client.get("/v1/documents").json()["documents"]
        assert version["document_id"] not in [d["id"] for d in listed]
