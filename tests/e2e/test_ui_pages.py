"""The web interface driven over HTTP, as a browser would: login cookie, CSRF tokens, roles, pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select, update

from archive.api.ui.routes import router as ui_router
from archive.db.models import UiSession
from archive.roles import Role
from archive.services.keys import revoke_key
from tests.conftest import Deployment, shared_path
from tests.e2e.conftest import Api, running_api

SEED = shared_path("corpus", "seed")
SEED_TEXT = SEED / "dhs-irs-deputize.txt"
SEED_V2 = SEED / "dhs-irs-deputize.v2.txt"
EXPECTED = json.loads((SEED / "dhs-irs-deputize.expected.json").read_text())
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "the page has no form token"
    return match.group(1)


def form_id_of(html: str) -> str:
    match = _FORM_ID.search(html)
    assert match is not None, "the page has no form id"
    return match.group(1)


def document_id_of(location: str) -> str:
    match = re.search(r"/ui/documents/([0-9A-Z]{26})", location)
    assert match is not None, f"{location} is not a document's page"
    return match.group(1)


def log_in(api: Api, role: Role = Role.ARCHIVIST) -> None:
    page = api.client.get("/ui/login")
    assert page.status_code == 200
    answer = api.client.post(
        "/ui/login",
        data={"csrf": csrf_of(page.text), "key": api.keys[role], "next": "/ui/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/ui/"


def upload(api: Api, path: Path, **fields: str) -> httpx2.Response:
    form = api.client.get(
        "/ui/upload" + (f"?document={fields['document_id']}" if "document_id" in fields else "")
    )
    assert form.status_code == 200, form.text
    data = {"csrf": csrf_of(form.text), "form_id": form_id_of(form.text), **fields}
    return api.client.post(
        "/ui/upload",
        data=data,
        files={"file": (path.name, path.read_bytes(), "text/plain; charset=utf-8")},
        follow_redirects=False,
    )


@pytest.fixture
def ui(api: Api) -> Iterator[Api]:
    api.client.cookies.clear()
    yield api


def test_pages_need_a_login_and_send_the_visitor_back_after_it(ui: Api) -> None:
    answer = ui.client.get("/ui/verify", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=/ui/verify"
    log_in(ui, Role.AUDITOR)
    assert ui.client.get("/ui/verify").status_code == 200


def test_the_login_cookie_is_httponly_samesite_strict_and_scoped_to_the_interface(ui: Api) -> None:
    page = ui.client.get("/ui/login")
    answer = ui.client.post(
        "/ui/login", data={"csrf": csrf_of(page.text), "key": ui.keys[Role.READER]}, follow_redirects=False
    )
    cookies = [value for name, value in answer.headers.multi_items() if name == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith("archive_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=strict" in session_cookie or "SameSite=Strict" in session_cookie
    assert "Path=/ui" in session_cookie
    csrf_cookie = page.headers["set-cookie"]
    assert csrf_cookie.startswith("archive_csrf=") and "HttpOnly" in csrf_cookie


def test_the_cookie_holds_a_session_that_logout_and_expiry_end_on_the_server(ui: Api) -> None:
    log_in(ui, Role.READER)
    token = ui.client.cookies["archive_session"]
    assert token not in ui.keys.values() and not token.startswith("ark_"), "never the key itself"
    assert ui.client.get("/ui/", follow_redirects=False).status_code == 200
    page = ui.client.get("/ui/")
    ui.client.post("/ui/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert "archive_session" not in ui.client.cookies
    ui.client.cookies.set("archive_session", token, path="/ui")  # the old cookie, kept and replayed
    replayed = ui.client.get("/ui/", follow_redirects=False)
    assert replayed.status_code == 303, "logging out ended the session on the server"

    ui.client.cookies.clear()
    log_in(ui, Role.READER)
    token = ui.client.cookies["archive_session"]
    with ui.deployment.uow().writing() as uow:
        uow.session.execute(update(UiSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    expired = ui.client.get("/ui/", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"] == "/ui/login?next=/ui/"
    with ui.deployment.uow().writing() as uow:
        stored = uow.session.scalars(select(UiSession.token_sha256)).all()
    assert token not in stored, "the server keeps only the token's digest"


def test_a_cookie_holding_the_key_itself_no_longer_signs_anyone_in(ui: Api) -> None:
    ui.client.cookies.set("archive_session", ui.keys[Role.ADMIN], path="/ui")
    assert ui.client.get("/ui/", follow_redirects=False).status_code == 303
    ui.client.cookies.set("archive_key", ui.keys[Role.ADMIN], path="/ui")  # the cookie of old releases
    answer = ui.client.get("/ui/", follow_redirects=False)
    assert answer.status_code == 303
    assert 'archive_key=""' in answer.headers["set-cookie"], "the key is taken out of the browser"


def test_signing_in_again_ends_the_session_held_before(ui: Api) -> None:
    log_in(ui, Role.READER)
    first = ui.client.cookies["archive_session"]
    log_in(ui, Role.READER)
    assert ui.client.cookies["archive_session"] != first
    ui.client.cookies.clear()
    ui.client.cookies.set("archive_session", first, path="/ui")
    assert ui.client.get("/ui/", follow_redirects=False).status_code == 303


def test_a_wrong_key_is_refused_on_the_form_and_sets_no_cookie(ui: Api) -> None:
    page = ui.client.get("/ui/login")
    answer = ui.client.post("/ui/login", data={"csrf": csrf_of(page.text), "key": "ark_nope_nope"})
    assert answer.status_code == 401
    assert "malformed" in answer.text
    assert "archive_session" not in ui.client.cookies
    assert ui.client.get("/ui/", follow_redirects=False).status_code == 303


def test_a_revoked_key_sends_the_visitor_back_to_the_login_form(ui: Api) -> None:
    log_in(ui, Role.READER)
    assert ui.client.get("/ui/", follow_redirects=False).status_code == 200
    with ui.deployment.uow().writing() as uow:
        revoke_key(uow, f"test-{Role.READER.value}")
    answer = ui.client.get("/ui/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=/ui/"
    assert 'archive_session=""' in answer.headers["set-cookie"]  # cleared


def test_forms_without_the_token_or_from_another_origin_are_refused(ui: Api) -> None:
    log_in(ui)
    before = ui.version_count()
    files = {"file": ("a.txt", b"forged upload", "text/plain")}
    no_token = ui.client.post("/ui/upload", files=files)
    assert no_token.status_code == 403
    assert "token" in no_token.text
    wrong_token = ui.client.post("/ui/upload", data={"csrf": "x" * 43}, files=files)
    assert wrong_token.status_code == 403
    token = csrf_of(ui.client.get("/ui/upload").text)
    elsewhere = ui.client.post(
        "/ui/upload", data={"csrf": token}, files=files, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403
    assert "evil.example" in elsewhere.text
    opaque = ui.client.post("/ui/upload", data={"csrf": token}, files=files, headers={"Origin": "null"})
    assert opaque.status_code == 403
    behind_tls = ui.client.post(  # a proxy ending TLS: the browser says https, the service sees http
        "/ui/upload",
        data={"csrf": token},
        files={"file": ("ok.txt", b"sent through a TLS proxy", "text/plain")},
        headers={"Origin": "https://testserver"},
        follow_redirects=False,
    )
    assert behind_tls.status_code == 303
    before += 1
    logout = ui.client.post("/ui/logout", data={"csrf": "wrong"})
    assert logout.status_code == 403
    ui.client.cookies.delete("archive_csrf")  # no token cookie: refused before the body is read
    cookieless = ui.client.post("/ui/upload", data={"csrf": token}, files=files)
    assert cookieless.status_code == 403
    assert "no valid token" in cookieless.text
    assert ui.version_count() == before


def test_a_reader_sees_no_upload_form_and_cannot_post_one(ui: Api) -> None:
    log_in(ui, Role.READER)
    home = ui.client.get("/ui/")
    assert 'href="/ui/upload"' not in home.text
    form = ui.client.get("/ui/upload")
    assert form.status_code == 403
    assert "archivist" in form.text
    assert 'href="/ui/verify"' not in home.text  # verifying is for auditors, as in the API
    assert ui.client.get("/ui/verify").status_code == 403
    token = csrf_of(home.text)
    posted = ui.client.post("/ui/upload", data={"csrf": token}, files={"file": ("a.txt", b"x", "text/plain")})
    assert posted.status_code == 403
    assert ui.version_count() == 0


def test_upload_shows_digests_and_receipt_then_the_document_its_credits(ui: Api) -> None:
    log_in(ui)
    answer = upload(ui, SEED_TEXT)
    assert answer.status_code == 303, answer.text
    receipt = ui.client.get(answer.headers["location"])
    assert receipt.status_code == 200
    assert EXPECTED["blake3"] in receipt.text
    assert EXPECTED["sha256"] in receipt.text
    assert re.search(r'id="log-index">\d+<', receipt.text)
    assert "Archived as version 1" in receipt.text
    document_id = document_id_of(answer.headers["location"])

    downloaded = ui.client.get(f"/ui/documents/{document_id}/versions/1/receipt.json")
    assert downloaded.headers["content-disposition"].startswith("attachment")
    assert json.loads(downloaded.text)["entry"].count(document_id) == 1
    from_api = ui.get(f"/v1/documents/{document_id}/versions/1/receipt").json()
    assert json.loads(downloaded.text)["entry"] == from_api["entry"]
    assert json.loads(downloaded.text)["inclusion"]["index"] == from_api["inclusion"]["index"]

    page = ui.client.get(f"/ui/documents/{document_id}")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="credit-row" data-role="([a-z_]+)">\s*<td class="name">([^<]+)', page.text)
    assert sorted((name.strip(), role) for role, name in rows) == sorted(
        (c["name"], c["role"]) for c in EXPECTED["credits"]
    )
    assert "<mark" in page.text
    assert "Updated:" in page.text


def test_the_same_form_submitted_twice_archives_once(ui: Api) -> None:
    log_in(ui)
    form = ui.client.get("/ui/upload").text
    data = {"csrf": csrf_of(form), "form_id": form_id_of(form)}
    files = {"file": ("one.txt", b"one file, posted twice", "text/plain")}
    first = ui.client.post("/ui/upload", data=data, files=files, follow_redirects=False)
    second = ui.client.post("/ui/upload", data=data, files=files, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert ui.version_count() == 1


def test_a_new_version_shows_in_the_timeline_and_the_side_by_side_diff(ui: Api) -> None:
    log_in(ui)
    first = upload(ui, SEED_TEXT)
    document_id = document_id_of(first.headers["location"])
    second = upload(ui, SEED_V2, document_id=document_id, note="re-captured")
    assert second.status_code == 303
    assert f"/ui/documents/{document_id}/versions/2/receipt" in second.headers["location"]
    page = ui.client.get(f"/ui/documents/{document_id}").text
    assert page.count('href="/ui/documents/' + document_id + "?version=") == 2
    assert "re-captured" in page
    diff = ui.client.get(f"/ui/documents/{document_id}/diff?from=1&to=2")
    assert diff.status_code == 200
    assert 'id="side-by-side"' in diff.text
    assert '<tr class="replace">' in diff.text or '<tr class="insert">' in diff.text
    old = ui.client.get(f"/ui/documents/{document_id}?version=1").text
    assert 'id="shown-version">1 of 2' in old


def test_archived_markup_is_shown_as_text_never_run(ui: Api) -> None:
    log_in(ui)
    hostile = b"<script>alert(1)</script><img src=x onerror=alert(2)> By Eve Mallory\n\nBody text."
    form = ui.client.get("/ui/upload").text
    answer = ui.client.post(
        "/ui/upload",
        data={"csrf": csrf_of(form), "title": "<b>bold</b> title"},
        files={"file": ("evil.txt", hostile, "text/plain")},
        follow_redirects=False,
    )
    document_page = ui.client.get(answer.headers["location"].split("/versions")[0])
    assert "<script>alert(1)" not in document_page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document_page.text
    assert "&lt;b&gt;bold&lt;/b&gt; title" in document_page.text
    assert "script-src 'self'" in document_page.headers["content-security-policy"]
    download = ui.client.get(answer.headers["location"].replace("/receipt", "/download").split("?")[0])
    assert download.content == hostile
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["content-security-policy"] == "sandbox"


def test_search_by_title_credit_and_role(ui: Api) -> None:
    log_in(ui)
    upload(ui, SEED_TEXT)
    other = ui.client.get("/ui/upload").text
    ui.client.post(
        "/ui/upload",
        data={"csrf": csrf_of(other), "title": "Harbour report", "credits": "author: Zoë Quist"},
        files={"file": ("h.txt", b"The harbour froze.", "text/plain")},
    )
    assert "Harbour report" in ui.client.get("/ui/?q=harbour").text
    assert "Deputize" not in ui.client.get("/ui/?q=harbour").text
    by_body = ui.client.get("/ui/?q=froze+HARBOUR").text  # words of the text, any case
    assert "Harbour report" in by_body and "Deputize" not in by_body
    assert "Deputize" in ui.client.get("/ui/?q=criminal+investigation").text
    by_credit = ui.client.get("/ui/?credit=zoe+quist&role=author").text
    assert "Harbour report" in by_credit and "Deputize" not in by_credit
    by_role = ui.client.get("/ui/?credit=Tia+Dufour&role=photographer").text
    assert "Deputize" in by_role and "Harbour report" not in by_role
    assert "No documents match" in ui.client.get("/ui/?credit=Tia+Dufour&role=author").text
    bad = ui.client.get("/ui/?role=pope")
    assert bad.status_code == 422
    assert "unknown role" in bad.text


def test_verify_tells_archived_from_not_and_gives_the_fixity(ui: Api) -> None:
    log_in(ui)
    upload(ui, SEED_TEXT)
    token = csrf_of(ui.client.get("/ui/verify").text)
    found = ui.client.post(
        "/ui/verify", data={"csrf": token}, files={"file": ("x.txt", SEED_TEXT.read_bytes(), "text/plain")}
    )
    assert found.status_code == 200
    assert "is archived" in found.text
    assert EXPECTED["blake3"] in found.text
    assert "never checked" in found.text
    assert "version 1" in found.text
    missing = ui.client.post(
        "/ui/verify", data={"csrf": token}, files={"file": ("y.txt", b"never seen", "text/plain")}
    )
    assert "is not archived" in missing.text
    unauthorised = ui.client.post("/ui/verify", files={"file": ("y.txt", b"z", "text/plain")})
    assert unauthorised.status_code == 403


def test_bad_input_gets_a_page_with_a_precise_error(ui: Api) -> None:
    log_in(ui)
    assert ui.client.get("/ui/documents/not-an-id").status_code == 422
    missing = ui.client.get("/ui/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert missing.status_code == 404
    assert "no document with id" in missing.text
    form = ui.client.get("/ui/upload").text
    bad_credit = ui.client.post(
        "/ui/upload",
        data={"csrf": csrf_of(form), "credits": "pope: Gregory"},
        files={"file": ("a.txt", b"text", "text/plain")},
    )
    assert bad_credit.status_code == 422
    assert "credit line 1" in bad_credit.text
    bad_url = ui.client.post(
        "/ui/upload",
        data={"csrf": csrf_of(form), "source_url": "javascript:alert(1)"},
        files={"file": ("a.txt", b"text", "text/plain")},
    )
    assert bad_url.status_code == 422
    assert ui.version_count() == 0


def test_the_login_form_never_redirects_off_site(ui: Api) -> None:
    page = ui.client.get("/ui/login?next=https://evil.example/")
    assert 'value="/ui/"' in page.text
    answer = ui.client.post(
        "/ui/login",
        data={"csrf": csrf_of(page.text), "key": ui.keys[Role.READER], "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/ui/"


def test_a_public_archive_shows_pages_without_a_login_but_not_the_upload_form(deployment: Deployment) -> None:
    with running_api(deployment, public_read=True) as public:
        home = public.client.get("/ui/")
        assert home.status_code == 200
        assert "public reader" in home.text
        assert 'href="/ui/upload"' not in home.text
        assert public.client.get("/ui/upload", follow_redirects=False).status_code == 403


# Every page and form, and who may use it (None: anyone). Pages answer a visitor who is not logged in
# with the login form, and a logged-in visitor whose role falls short with 403.
UI_ROUTES: dict[str, Role | None] = {
    "GET /ui": None,
    "GET /ui/login": None,
    "POST /ui/login": None,
    "POST /ui/logout": None,
    "GET /ui/": Role.READER,
    "GET /ui/documents/{document_id}": Role.READER,
    "GET /ui/documents/{document_id}/diff": Role.READER,
    "GET /ui/documents/{document_id}/versions/{number}/download": Role.READER,
    "GET /ui/documents/{document_id}/versions/{number}/preview": Role.READER,
    "GET /ui/documents/{document_id}/versions/{number}/receipt": Role.READER,
    "GET /ui/documents/{document_id}/versions/{number}/receipt.json": Role.READER,
    "GET /ui/verify": Role.AUDITOR,
    "POST /ui/verify": Role.AUDITOR,
    "GET /ui/upload": Role.ARCHIVIST,
    "POST /ui/upload": Role.ARCHIVIST,
}


def ui_routes() -> set[str]:
    routes = [route for route in ui_router.routes if isinstance(route, APIRoute)]
    assert routes == ui_router.routes, "every route of the web interface is a FastAPI route"
    return {f"{method} {route.path}" for route in routes for method in route.methods or ()}


def test_every_page_is_behind_the_role_it_needs(ui: Api) -> None:
    assert ui_routes() == set(UI_ROUTES)
    log_in(ui)
    document_id = upload(ui, SEED_TEXT).headers["location"].split("/")[3]
    ui.client.cookies.clear()
    values = {"document_id": document_id, "number": "1"}
    for operation, role in sorted(UI_ROUTES.items(), key=lambda item: item[0]):
        method, template = operation.split(" ", 1)
        if role is None:
            continue
        path = template.format(**values) + ("?from=1&to=1" if template.endswith("/diff") else "")
        for visitor in (None, Role.READER, Role.AUDITOR, Role.ARCHIVIST, Role.ADMIN):
            ui.client.cookies.clear()
            if visitor is not None:
                log_in(ui, visitor)
            answer = ui.client.request(method, path, follow_redirects=False)
            allowed = visitor is not None and visitor.includes(role)
            if visitor is None:
                assert answer.status_code == 303, (operation, visitor, answer.status_code)
                assert answer.headers["location"].startswith("/ui/login?next=")
            elif not allowed:
                assert answer.status_code == 403, (operation, visitor, answer.status_code)
            elif method == "GET":
                # A text has no preview: past the role check, its preview is not found.
                found = 404 if template.endswith("/preview") else 200
                assert answer.status_code == found, (operation, visitor, answer.status_code)
            else:  # a form post with no token and no body: refused, never done
                assert answer.status_code in {403, 415}, (operation, visitor, answer.status_code)
    assert ui.version_count() == 1


def test_behind_a_proxy_the_public_url_decides_the_origin_and_secure_cookies(deployment: Deployment) -> None:
    with running_api(deployment, public_url="https://archive.example.org") as proxied:
        login = "https://testserver/ui/login"  # the browser's side of the proxy speaks https
        page = proxied.client.get(login)
        assert "Secure" in page.headers["set-cookie"]
        token = csrf_of(page.text)
        form = {"csrf": token, "key": proxied.keys[Role.READER]}
        refused = proxied.client.post(login, data=form, headers={"Origin": "https://testserver"})
        assert refused.status_code == 403
        answer = proxied.client.post(
            login, data=form, headers={"Origin": "https://archive.example.org"}, follow_redirects=False
        )
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]


def test_a_pdf_page_shows_its_creation_date_and_printed_author(ui: Api) -> None:
    [path] = shared_path("corpus", "media").glob("dev-pdf01*.pdf")
    version = ui.upload(path.read_bytes(), filename=path.name, media_type="application/pdf").json()
    log_in(ui, Role.READER)

    page = ui.client.get(f"/ui/documents/{version['document_id']}")

    assert page.status_code == 200
    created = '<dd id="date-created">2010-03-16T02:13:32-01:00 <small class="field">'
    assert created + "read from PDF:CreationDate" in page.text
    rows = re.findall(r'<tr class="credit-row" data-role="([a-z_]+)">\s*<td class="name">([^<]+)', page.text)
    assert [(name.strip(), role) for role, name in rows] == [("Mohammad Chuttur", "author")]


def test_a_photo_page_says_plainly_whether_its_content_credentials_hold(ui: Api) -> None:
    media = shared_path("corpus", "media")
    shown = {}
    for stem in ("dev-img01", "dev-img03", "dev-img06"):
        [path] = media.glob(f"{stem}*.jpg")
        shown[stem] = ui.upload(path.read_bytes(), filename=path.name, media_type="image/jpeg").json()
    log_in(ui, Role.READER)

    states = {
        stem: re.search(
            r'<dd id="content-credentials">([^<·]+)', ui.client.get(f"/ui/documents/{v['document_id']}").text
        )
        for stem, v in shown.items()
    }

    assert {stem: match.group(1).strip() if match else None for stem, match in states.items()} == {
        "dev-img01": "valid, untrusted signer",
        "dev-img03": "tampered (assertion.dataHash.mismatch)",
        "dev-img06": "remote (not fetched)",
    }


def test_a_photo_page_says_which_field_each_embedded_value_came_from(ui: Api) -> None:
    [path] = shared_path("corpus", "media").glob("dev-img10*.jpg")
    version = ui.upload(path.read_bytes(), filename=path.name, media_type="image/jpeg").json()
    log_in(ui, Role.READER)

    page = ui.client.get(f"/ui/documents/{version['document_id']}").text

    assert re.search(
        r'<dd id="rights">Copyright 2004 Phil Harvey <small class="field">read from IPTC:CopyrightNotice',
        page,
    )
    assert 'id="title-field">Title read from IPTC:ObjectName' in page
    assert '<small class="field">read from IPTC:By-line</small>' in page
