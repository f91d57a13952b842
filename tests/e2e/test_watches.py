"""Watches over the test run's own publisher, on both deployments: a page whose advert, clock and related
links change on every look but whose article does not gains no version; one whose figure is corrected
gains exactly one, with its diff and its correction notice; every look is recorded."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from archive.roles import Role
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.publishing import Publisher

WATCH_TIMEOUT_SECONDS = 90


@pytest.fixture
def watching(deployment: Deployment, publisher: Publisher) -> Iterator[Api]:
    with running_api(
        deployment,
        resolver=publisher.resolver(),
        capture_allow_networks=publisher.network,
        watch_min_interval_seconds=1,
    ) as api:
        yield api


def watch(api: Api, url: str, interval: int = 1) -> dict[str, Any]:
    made = api.client.post(
        "/v1/watches", json={"url": url, "interval_seconds": interval}, headers=api.auth(Role.ARCHIVIST)
    )
    assert made.status_code == 201, made.text
    assert made.headers["location"] == f"/v1/watches/{made.json()['id']}"
    return dict(made.json())


def checks_until(api: Api, watch_id: str, count: int) -> dict[str, Any]:
    """The watch once it has been looked at `count` times (its checks newest first)."""
    deadline = time.monotonic() + WATCH_TIMEOUT_SECONDS
    while True:
        seen = api.get(f"/v1/watches/{watch_id}").json()
        if len(seen["checks"]) >= count:
            return dict(seen)
        assert time.monotonic() < deadline, f"the watch was not looked at {count} times: {seen}"
        time.sleep(0.2)


def test_a_page_that_only_changes_around_its_article_gains_no_version(
    watching: Api, publisher: Publisher
) -> None:
    target = f"/steady?key={uuid.uuid4().hex}"
    made = watch(watching, publisher.url(target))
    assert made["document_id"] is None and made["checks"] == [] and made["interval_seconds"] == 1
    seen = checks_until(watching, made["id"], 4)
    outcomes = [check["outcome"] for check in reversed(seen["checks"])]
    assert outcomes[:4] == ["changed", "unchanged", "unchanged", "unchanged"]
    assert all(check["version"] == 1 for check in seen["checks"])
    history = watching.get(f"/v1/documents/{seen['document_id']}/versions").json()["versions"]
    assert len(history) == 1
    assert publisher.asked(target) >= 4  # looked at each time, and the page did differ each time


def test_a_corrected_page_gains_one_version_with_its_diff_and_notice(
    watching: Api, publisher: Publisher
) -> None:
    made = watch(watching, publisher.url(f"/corrected?key={uuid.uuid4().hex}"))
    seen = checks_until(watching, made["id"], 5)
    outcomes = [(check["outcome"], check["version"]) for check in reversed(seen["checks"])]
    assert outcomes[:5] == [
        ("changed", 1),
        ("unchanged", 1),
        ("changed", 2),
        ("unchanged", 2),
        ("unchanged", 2),
    ]
    document_id = seen["document_id"]
    history = watching.get(f"/v1/documents/{document_id}/versions").json()["versions"]
    assert [version["version"] for version in history] == [1, 2]
    assert history[0]["update_notices"] == []
    assert [notice["kind"] for notice in history[1]["update_notices"]] == ["corrected"]
    diff = watching.get(f"/v1/documents/{document_id}/diff", params={"from": 1, "to": 2}).json()
    assert "-The regional authority said 1,200 people" in diff["text"]["unified"]
    assert "+The regional authority said 12,000 people" in diff["text"]["unified"]
    assert [notice.split(":")[0] for notice in diff["update_notices"]["added"]] == ["Correction"]
    changed = next(
        check for check in seen["checks"] if check["version"] == 2 and check["outcome"] == "changed"
    )
    capture = watching.get(f"/v1/captures/{changed['capture_id']}").json()
    assert (capture["status"], capture["watch_id"], capture["version"]) == ("done", made["id"], 2)
    assert watching.get(capture["warc_url"]).headers["content-type"] == "application/warc"


def test_failures_are_recorded_and_back_off(watching: Api, publisher: Publisher) -> None:
    made = watch(watching, publisher.url("/busy"))
    seen = checks_until(watching, made["id"], 1)
    assert seen["checks"][0]["outcome"] == "failed"
    assert "503" in seen["checks"][0]["error"]
    assert seen["failures"] == 1
    checked = datetime.fromisoformat(seen["checks"][0]["checked_at"])
    waits = (datetime.fromisoformat(seen["next_check_at"]) - checked).total_seconds()
    assert 119 <= waits <= 121  # the publisher's Retry-After: 120, over the interval and its back-off


def test_watches_are_listed_deleted_and_bounded(watching: Api, publisher: Publisher) -> None:
    made = watch(watching, publisher.url("/steady"), interval=3600)
    listed = watching.get("/v1/watches").json()
    assert [w["id"] for w in listed["watches"]] == [made["id"]]
    too_often = watching.client.post(
        "/v1/watches",
        json={"url": publisher.url("/steady"), "interval_seconds": 0},
        headers=watching.auth(Role.ARCHIVIST),
    )
    assert too_often.status_code == 422
    inside = watching.client.post(
        "/v1/watches",
        json={"url": "http://10.1.1.1/", "interval_seconds": 60},
        headers=watching.auth(Role.ARCHIVIST),
    )
    assert inside.status_code == 422 and "private" in inside.json()["detail"]
    assert (
        watching.client.delete(f"/v1/watches/{made['id']}", headers=watching.auth(Role.READER)).status_code
        == 403
    )
    gone = watching.client.delete(f"/v1/watches/{made['id']}", headers=watching.auth(Role.ARCHIVIST))
    assert gone.status_code == 204
    assert watching.get(f"/v1/watches/{made['id']}").status_code == 404
    assert watching.get("/v1/watches").json()["watches"] == []


def test_the_minimum_interval_is_the_deployments(deployment: Deployment, publisher: Publisher) -> None:
    with running_api(
        deployment, resolver=publisher.resolver(), capture_allow_networks=publisher.network
    ) as api:
        refused = api.client.post(
            "/v1/watches", json={"url": publisher.url("/steady"), "interval_seconds": 299}, headers=api.auth()
        )
        assert refused.status_code == 422
        assert refused.json()["minimum"] == 300
