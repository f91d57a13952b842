"""The web interface's captures and watches, as a browser drives them: capture a URL, follow it, watch a
page, list the watches with their last checks, and see on a document's timeline which versions a watch
added."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute

from archive.api.ui.watching import router as watching_router
from archive.roles import Role
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.publishing import Publisher
from tests.e2e.test_ui_pages import csrf_of, log_in

ROUTES = {
    "GET /ui/capture": Role.ARCHIVIST,
    "POST /ui/capture": Role.ARCHIVIST,
    "GET /ui/captures/{capture_id}": Role.READER,
    "GET /ui/captures/{capture_id}/warc": Role.READER,
    "GET /ui/watches": Role.READER,
}


@pytest.fixture
def ui(deployment: Deployment, publisher: Publisher) -> Iterator[Api]:
    with running_api(
        deployment,
        resolver=publisher.resolver(),
        capture_allow_networks=publisher.network,
        watch_min_interval_seconds=1,
    ) as api:
        yield api


def submit(ui: Api, **fields: str) -> str:
    form = ui.client.get("/ui/capture")
    assert form.status_code == 200
    assert "no JavaScript runs and no screenshot is taken" in form.text
    answer = ui.client.post(
        "/ui/capture", data={"csrf": csrf_of(form.text), **fields}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def until(ui: Api, path: str, pattern: str) -> str:
    deadline = time.monotonic() + 60
    while not re.search(pattern, page := ui.client.get(path).text):
        assert time.monotonic() < deadline, page
        time.sleep(0.2)
    return page


def test_capture_a_url_and_watch_a_page(ui: Api, publisher: Publisher) -> None:
    log_in(ui)
    location = submit(ui, url=publisher.url(f"/steady?key={uuid.uuid4().hex}"), note="from the form")
    assert re.fullmatch(r"/ui/captures/[0-9A-Z]{26}", location)
    done = until(ui, location, r'id="capture-status">done<')
    document = re.search(r'href="/ui/documents/([0-9A-Z]{26})\?version=1"', done)
    assert document is not None
    warc = ui.client.get(f"{location}/warc")
    assert warc.status_code == 200 and warc.headers["content-type"] == "application/warc"

    assert (
        submit(ui, url=publisher.url(f"/corrected?key={uuid.uuid4().hex}"), interval_seconds="1")
        == "/ui/watches"
    )
    listed = until(ui, "/ui/watches", r"(?s)changed, version 2.*unchanged, version 1.*changed, version 1")
    watched = re.search(r'href="/ui/documents/([0-9A-Z]{26})">its document', listed)
    assert watched is not None
    timeline = ui.client.get(f"/ui/documents/{watched.group(1)}").text
    assert timeline.count("from a watch") == 2
    assert "from a watch" not in ui.client.get(f"/ui/documents/{document.group(1)}").text

    refused = ui.client.post(
        "/ui/capture", data={"csrf": csrf_of(ui.client.get("/ui/capture").text), "url": "http://10.0.0.1/"}
    )
    assert refused.status_code == 422 and "private address" in refused.text


def test_each_page_is_behind_the_role_it_needs(ui: Api, publisher: Publisher) -> None:
    routes = [route for route in watching_router.routes if isinstance(route, APIRoute)]
    assert {f"{method} {route.path}" for route in routes for method in route.methods or ()} == set(ROUTES)
    missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    for operation, role in ROUTES.items():
        method, template = operation.split(" ", 1)
        path = template.format(capture_id=missing)
        for visitor in (None, Role.READER, Role.ARCHIVIST):
            ui.client.cookies.clear()
            if visitor is not None:
                log_in(ui, visitor)
            answer = ui.client.request(method, path, follow_redirects=False)
            if visitor is None:
                assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login?next=")
            elif not visitor.includes(role):
                assert answer.status_code == 403, (operation, visitor)
            elif method == "GET":
                assert answer.status_code == (404 if "{capture_id}" in template else 200), (
                    operation,
                    visitor,
                )
            else:  # a post without its token is refused, never done
                assert answer.status_code == 403, (operation, visitor)
