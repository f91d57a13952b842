"""Who may call what: every route of the app by every kind of caller, against the status each must get; and
what a key is made of, where it is kept, and where it never shows.

`ROUTES` names the role each route needs. The routes are read from the app itself, so a route added without
an entry here (or an entry left behind by a removed route) fails `test_every_route_has_an_entry`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from fastapi import FastAPI
from sqlalchemy import select

from archive.db.models import Base
from archive.roles import Role
from archive.services.keys import create_key, revoke_key
from tests.conftest import Deployment, embedded_deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive, serving

PROBLEM = "application/problem+json"
KEY_FORMAT = re.compile(r"^ark_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")

ARTICLE = b"An archived article\n\nBy Ada Example\n\nThe body of the article.\n"
SOURCE_URL = "https://example.org/news/2025/authorization-matrix"
METADATA = {
    "source_url": SOURCE_URL,
    "title": "An archived article",
    "credits": [{"name": "Ada Example", "role": "author"}],
}
# Made once before the matrix runs, so that the matrix's own uploads and corrections change nothing.
CORRECTION = {"title": "An archived article, corrected"}


@dataclass(frozen=True)
class Archived:
    """What the matrix's requests name: a document archived (and corrected) before they run."""

    document_id: str
    blake3: str
    agent_id: int
    audit_id: str
    source_url: str = SOURCE_URL

    def path_values(self) -> dict[str, str]:
        return {
            "document_id": self.document_id,
            "number": "1",
            "blake3": self.blake3,
            "agent_id": str(self.agent_id),
            "audit_id": self.audit_id,
            "index": "0",
            "uri_r": self.source_url,
            "tile": "0/000.p/1",
            "capture_id": NO_SUCH_ID,
            "watch_id": NO_SUCH_ID,
            "key_name": "test-reader",
        }


def _upload(_: Archived) -> dict[str, Any]:
    return {
        "files": {
            "file": ("article.txt", ARTICLE, "text/plain; charset=utf-8"),
            "metadata": (None, json.dumps(METADATA | CORRECTION), "application/json"),
        }
    }


def _correction(_: Archived) -> dict[str, Any]:
    return {"json": CORRECTION}


def _verify(archived: Archived) -> dict[str, Any]:
    return {"json": {"blake3": archived.blake3}}


# The governance routes are asked what leaves the document served to every later request of the matrix: a
# withdrawal of a version it does not have (404 once the role is checked), the reversal of a withdrawal it
# does not have (404), a purge whose confirmation is not its id (422); a hold placed then released, the
# access left open, a grant made then taken back.
def _withdrawal(_: Archived) -> dict[str, Any]:
    return {"json": {"reason": "matrix", "version": 99}}


def _purge(_: Archived) -> dict[str, Any]:
    return {"json": {"reason": "matrix", "confirm": NO_SUCH_ID}}


def _hold(_: Archived) -> dict[str, Any]:
    return {"json": {"reason": "matrix"}}


def _open_access(_: Archived) -> dict[str, Any]:
    return {"json": {"restricted": False}}


# Captures and watches are asked of an address inside (refused with 422 once the role is checked), so that
# the matrix queues no fetch; the ones it reads name no capture or watch (404 once allowed in).
NO_SUCH_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def _capture(_: Archived) -> dict[str, Any]:
    return {"json": {"url": "http://10.0.0.1/"}}


def _watch(_: Archived) -> dict[str, Any]:
    return {"json": {"url": "http://10.0.0.1/", "interval_seconds": 3600}}


@dataclass(frozen=True)
class Endpoint:
    """A route's needed role (None: anyone, whatever they send) and what makes a request to it succeed."""

    role: Role | None
    params: dict[str, str] = field(default_factory=dict)
    body: Callable[[Archived], dict[str, Any]] | None = None
    # Past the role check, what the archived document (a text) gets when it is allowed in.
    allowed_status: int | None = None


OPEN = Endpoint(None)
READER = Endpoint(Role.READER)

# Every route, "METHOD /path/template" as the app routes it, and who may call it.
ROUTES: dict[str, Endpoint] = {
    # No key needed: probes, metrics and the API's own description.
    "GET /healthz": OPEN,
    "GET /readyz": OPEN,
    "GET /metrics": OPEN,
    "GET /openapi.json": OPEN,
    "HEAD /openapi.json": OPEN,
    "GET /docs": OPEN,
    "HEAD /docs": OPEN,
    "GET /docs/oauth2-redirect": OPEN,
    "HEAD /docs/oauth2-redirect": OPEN,
    "GET /redoc": OPEN,
    "HEAD /redoc": OPEN,
    # Writes.
    "POST /v1/documents": Endpoint(Role.ARCHIVIST, body=_upload),
    "POST /v1/documents/{document_id}/versions": Endpoint(Role.ARCHIVIST, body=_correction),
    # Auditing.
    "POST /v1/verify": Endpoint(Role.AUDITOR, body=_verify),
    "POST /v1/blobs/{blake3}/fixity": Endpoint(Role.AUDITOR),
    "POST /v1/audits": Endpoint(Role.AUDITOR),
    "GET /v1/audits/{audit_id}": Endpoint(Role.AUDITOR),
    # Reads.
    "GET /v1/documents": Endpoint(Role.READER, params={"credit": "Ada Example", "limit": "5"}),
    "GET /v1/documents/{document_id}": READER,
    "GET /v1/documents/{document_id}/versions": READER,
    "GET /v1/documents/{document_id}/versions/{number}": READER,
    "GET /v1/documents/{document_id}/versions/{number}/text": READER,
    # A text has no preview: allowed in, its preview is not found.
    "GET /v1/documents/{document_id}/versions/{number}/preview": Endpoint(Role.READER, allowed_status=404),
    "GET /v1/documents/{document_id}/content": READER,
    "GET /v1/documents/{document_id}/versions/{number}/content": READER,
    "HEAD /v1/documents/{document_id}/versions/{number}/content": READER,
    "GET /v1/documents/{document_id}/diff": Endpoint(Role.READER, params={"from": "1", "to": "2"}),
    "GET /v1/documents/{document_id}/export": READER,
    "GET /v1/documents/{document_id}/timemap": READER,
    "GET /v1/documents/{document_id}/timegate": READER,
    "HEAD /v1/documents/{document_id}/timegate": READER,
    "GET /memento/timemap/link/{uri_r}": READER,
    "GET /memento/timegate/{uri_r}": READER,
    "HEAD /memento/timegate/{uri_r}": READER,
    "GET /v1/blobs/{blake3}": READER,
    "HEAD /v1/blobs/{blake3}": READER,
    "GET /v1/agents/{agent_id}": READER,
    "GET /v1/search": Endpoint(Role.READER, params={"q": "article", "credit": "Ada Example"}),
    "GET /v1/log/checkpoint": READER,
    "GET /v1/log/key": READER,
    "GET /v1/log/entries/{index}": READER,
    "GET /v1/log/proof/inclusion": Endpoint(Role.READER, params={"index": "0", "tree_size": "1"}),
    "GET /v1/log/proof/consistency": Endpoint(Role.READER, params={"from": "1", "to": "2"}),
    "GET /v1/documents/{document_id}/versions/{number}/receipt": READER,
    "GET /v1/log/tile/{tile}": READER,
    "GET /v1/log/attestors": Endpoint(Role.AUDITOR),
    # Captures and watches.
    "POST /v1/captures": Endpoint(Role.ARCHIVIST, body=_capture, allowed_status=422),
    "GET /v1/captures/{capture_id}": Endpoint(Role.READER, allowed_status=404),
    "GET /v1/captures/{capture_id}/warc": Endpoint(Role.READER, allowed_status=404),
    "POST /v1/watches": Endpoint(Role.ARCHIVIST, body=_watch, allowed_status=422),
    "GET /v1/watches": READER,
    "GET /v1/watches/{watch_id}": Endpoint(Role.READER, allowed_status=404),
    "DELETE /v1/watches/{watch_id}": Endpoint(Role.ARCHIVIST, allowed_status=404),
    # Governance.
    "GET /v1/documents/{document_id}/governance": Endpoint(Role.ADMIN),
    "POST /v1/documents/{document_id}/withdrawal": Endpoint(Role.ADMIN, body=_withdrawal, allowed_status=404),
    "DELETE /v1/documents/{document_id}/withdrawal": Endpoint(
        Role.ADMIN, params={"reason": "matrix"}, allowed_status=404
    ),
    "POST /v1/documents/{document_id}/purge": Endpoint(Role.ADMIN, body=_purge, allowed_status=422),
    "PUT /v1/documents/{document_id}/hold": Endpoint(Role.ADMIN, body=_hold),
    "DELETE /v1/documents/{document_id}/hold": Endpoint(Role.ADMIN, params={"reason": "matrix"}),
    "PUT /v1/documents/{document_id}/access": Endpoint(Role.ADMIN, body=_open_access),
    "PUT /v1/documents/{document_id}/grants/{key_name}": Endpoint(Role.ADMIN),
    "DELETE /v1/documents/{document_id}/grants/{key_name}": Endpoint(Role.ADMIN),
}


@dataclass(frozen=True)
class Caller:
    """Who calls: the role of a valid key (None for anything else) and the Authorization header sent."""

    name: str
    role: Role | None
    authorization: str | None


def callers(keys: dict[Role, str], revoked: str) -> list[Caller]:
    unknown = f"ark_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"
    reader_id = KEY_FORMAT.match(keys[Role.READER])
    assert reader_id is not None
    forged = f"ark_{reader_id.group(1)}_{secrets.token_urlsafe(32)}"  # a real id, another secret
    basic = base64.b64encode(f"admin:{keys[Role.ADMIN]}".encode()).decode()
    return [
        *(Caller(role.value, role, f"Bearer {keys[role]}") for role in Role),
        Caller("no key", None, None),
        Caller("revoked key", None, f"Bearer {revoked}"),
        Caller("Bearer alone", None, "Bearer"),
        Caller("Basic (an admin key)", None, f"Basic {basic}"),
        Caller("key of the wrong shape", None, "Bearer ark_0123456789abcdef_short"),
        Caller("unknown well-formed key", None, f"Bearer {unknown}"),
        Caller("known id, wrong secret", None, f"Bearer {forged}"),
    ]


CALLERS_PER_ROUTE = 11  # the four roles, no key, and six bad ones


def served_operations(app: FastAPI) -> set[str]:
    """Every (method, path) the app answers with a key in `Authorization`, read from its routes (included
    routers walked too). The web interface under /ui/ takes its key from a cookie instead; its own matrix
    is in test_ui_pages.py."""
    found: set[str] = set()

    def walk(routes: Iterable[Any]) -> None:
        for route in routes:
            nested = getattr(route, "effective_route_contexts", None)  # an included router
            if nested is not None:
                walk(nested())
                continue
            if route.path.startswith("/ui") or not hasattr(route, "methods"):
                continue  # the web interface, and mounted static files (the docs pages' assets)
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)  # `{uri_r:path}` → `{uri_r}`
            found.update(f"{method} {path}" for method in route.methods or ())

    walk(app.routes)
    return found


def documented_operations(app: FastAPI) -> set[str]:
    paths = app.openapi()["paths"]
    return {f"{method.upper()} {path}" for path, item in paths.items() for method in item}


def archive_one_document(api: Api, article: bytes = ARTICLE, source_url: str = SOURCE_URL) -> Archived:
    admin = api.auth(Role.ADMIN)
    files: dict[str, tuple[str, bytes, str] | str] = {
        "file": ("article.txt", article, "text/plain; charset=utf-8"),
        "metadata": json.dumps(METADATA | {"source_url": source_url}),
    }
    created = api.client.post("/v1/documents", headers=admin, files=files)
    assert created.status_code == 201, created.text
    version = created.json()
    corrected = api.client.post(
        f"/v1/documents/{version['document_id']}/versions", headers=admin, json=CORRECTION
    )
    assert corrected.status_code == 201, corrected.text
    audit = api.client.post("/v1/audits", headers=admin)
    assert audit.status_code == 202, audit.text
    return Archived(
        document_id=version["document_id"],
        blake3=version["blake3"],
        agent_id=version["credits"][0]["agent_id"],
        audit_id=audit.json()["id"],
        source_url=source_url,
    )


def expected_outcome(endpoint: Endpoint, caller: Caller, *, public_read: bool) -> str:
    """The outcome due: "ok" (any 2xx or 3xx), "401" or "403"."""
    if endpoint.role is None:
        return "ok"
    if caller.role is not None:
        return "ok" if caller.role.includes(endpoint.role) else "403"
    if caller.authorization is None and public_read and endpoint.role is Role.READER:
        return "ok"
    return "401"


def call(api: Api, operation: str, caller: Caller, archived: Archived) -> httpx2.Response:
    method, template = operation.split(" ", 1)
    endpoint = ROUTES[operation]
    headers = {"Authorization": caller.authorization} if caller.authorization is not None else {}
    body = endpoint.body(archived) if endpoint.body is not None else {}
    return api.client.request(
        method,
        template.format(**archived.path_values()),
        params=endpoint.params,
        headers=headers,
        follow_redirects=False,
        **body,
    )


def mismatch(response: httpx2.Response, expected: str) -> str | None:
    """Why `response` is not the `expected` outcome, or None when it is."""
    status = response.status_code
    if expected == "ok":
        return None if status < 400 else f"got {status}: {response.text[:200]}"
    if str(status) != expected:
        return f"got {status}, expected {expected}: {response.text[:200]}"
    if response.headers.get("content-type") != PROBLEM:
        return f"{status} is not a problem document: {response.headers.get('content-type')}"
    if status == 401 and not response.headers.get("www-authenticate", "").startswith("Bearer"):
        return "401 without `WWW-Authenticate: Bearer`"
    return None


# Documents hidden from callers without access: a restricted one (the reader's key holds a grant) and an
# embargoed one. Every route naming one (by id, by a digest of its bytes, by its original URL) answers as
# if it did not exist (404) to every caller below admin that the route's role admits, except the granted
# reader; a fixity check names a digest for an auditor's integrity work and serves no content.
NOT_HIDDEN = {"POST /v1/blobs/{blake3}/fixity"}


def document_scoped(operation: str) -> bool:
    named = ("{document_id}", "{blake3}", "{uri_r}")
    return any(name in operation for name in named) and operation not in NOT_HIDDEN


def hidden_outcome(endpoint: Endpoint, caller: Caller, *, public_read: bool, granted: bool) -> str:
    expected = expected_outcome(endpoint, caller, public_read=public_read)
    if expected != "ok":
        return expected  # the role is checked first: 401 and 403 as for any document
    if caller.role is Role.ADMIN or (granted and caller.role is Role.READER):
        return str(endpoint.allowed_status) if endpoint.allowed_status is not None else "ok"
    return "404"


def hide(api: Api, number: int, access: dict[str, Any], grant: str | None) -> Archived:
    """Archive a document of its own bytes and URL, then restrict or embargo it (`access`)."""
    archived = archive_one_document(
        api, ARTICLE + f"hidden {number}\n".encode(), f"{SOURCE_URL}/hidden-{number}"
    )
    admin = api.auth(Role.ADMIN)
    path = f"/v1/documents/{archived.document_id}"
    assert api.client.put(f"{path}/access", json=access, headers=admin).status_code == 200
    if grant is not None:
        assert api.client.put(f"{path}/grants/{grant}", headers=admin).status_code == 200
    return archived


def run_hidden_matrix(api: Api, everyone: list[Caller], *, public_read: bool) -> list[str]:
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    restricted = hide(api, 1, {"restricted": True}, grant="test-reader")
    embargoed = hide(api, 2, {"restricted": False, "embargoed_until": later}, grant=None)
    failures: list[str] = []
    for archived, granted in ((restricted, True), (embargoed, False)):
        for operation in filter(document_scoped, ROUTES):
            for caller in everyone:
                expected = hidden_outcome(ROUTES[operation], caller, public_read=public_read, granted=granted)
                problem = mismatch(call(api, operation, caller, archived), expected)
                if problem is not None:
                    kind = "restricted" if granted else "embargoed"
                    failures.append(f"{operation} of the {kind} document as {caller.name}: {problem}")
    return failures


def run_matrix(deployment: Deployment, *, public_read: bool) -> None:
    with running_api(deployment, public_read=public_read, capture_hosts="") as api:  # no capture fetches
        with deployment.uow().writing() as uow:
            revoked = create_key(uow, "revoked-admin", Role.ADMIN)
            revoke_key(uow, "revoked-admin")
        archived = archive_one_document(api)
        everyone = callers(api.keys, revoked)
        assert len(everyone) == CALLERS_PER_ROUTE
        failures: list[str] = []
        for operation, endpoint in ROUTES.items():
            for caller in everyone:
                expected = expected_outcome(endpoint, caller, public_read=public_read)
                if expected == "ok" and endpoint.allowed_status is not None:
                    expected = str(endpoint.allowed_status)
                problem = mismatch(call(api, operation, caller, archived), expected)
                if problem is not None:
                    failures.append(f"{operation} as {caller.name}: {problem}")
        failures += run_hidden_matrix(api, everyone, public_read=public_read)
        cells = len(ROUTES) * len(everyone)
        hidden_cells = 2 * len(list(filter(document_scoped, ROUTES))) * len(everyone)
        mode = "public read" if public_read else "keys required"
        print(f"\nauthorization matrix, {deployment.name}, {mode}:", end=" ")
        print(
            f"{len(ROUTES)} routes x {len(everyone)} callers = {cells} requests, {len(failures)} unexpected"
        )
        print(f"restricted and embargoed documents: {hidden_cells} requests")
        assert cells == 62 * CALLERS_PER_ROUTE == 682
        assert hidden_cells == 2 * 29 * CALLERS_PER_ROUTE == 638
        assert not failures, "\n".join(failures)


def built_app(tmp_path: Path) -> FastAPI:
    deployment = embedded_deployment(tmp_path)
    with running_api(deployment) as api:
        app = api.client.app
    deployment.db.dispose()
    assert isinstance(app, FastAPI)
    return app


def test_every_route_has_an_entry(tmp_path: Path) -> None:
    app = built_app(tmp_path)
    served = served_operations(app)
    assert documented_operations(app) <= served, "the route walk missed a documented route"
    assert not served - set(ROUTES), f"routes with no entry in ROUTES: {sorted(served - set(ROUTES))}"
    assert not set(ROUTES) - served, f"entries naming no route: {sorted(set(ROUTES) - served)}"


def test_every_refusal_is_documented(tmp_path: Path) -> None:
    """A route needing a key documents its 401, and one needing more than a reader its 403, both as
    problem documents; a route open to anyone documents neither."""
    app = built_app(tmp_path)
    paths = app.openapi()["paths"]
    undocumented: list[str] = []
    for operation in sorted(documented_operations(app)):
        method, path = operation.split(" ", 1)
        responses = paths[path][method.lower()]["responses"]
        role = ROUTES[operation].role
        wanted = set() if role is None else {"401"} | ({"403"} if role is not Role.READER else set())
        for status in wanted:
            if PROBLEM not in responses.get(status, {}).get("content", {}):
                undocumented.append(f"{operation}: {status}")
        if role is None and {"401", "403"} & set(responses):
            undocumented.append(f"{operation} is open but documents a refusal")
    assert not undocumented, undocumented


def test_authorization_matrix(deployment: Deployment) -> None:
    run_matrix(deployment, public_read=False)


def test_authorization_matrix_of_a_public_archive(deployment: Deployment) -> None:
    """Reads open to anyone without a key; a key presented is still checked; writes still need one."""
    run_matrix(deployment, public_read=True)


def test_keys_carry_256_random_bits(tmp_path: Path) -> None:
    deployment = embedded_deployment(tmp_path)
    with deployment.uow().writing() as uow:
        keys = [create_key(uow, f"key-{n}", Role.READER) for n in range(64)]
    deployment.db.dispose()
    ids: set[str] = set()
    secrets_seen: list[int] = []
    for key in keys:
        match = KEY_FORMAT.match(key)
        assert match is not None, key
        key_id, secret = match.groups()
        raw = base64.urlsafe_b64decode(secret + "=")
        assert len(raw) == 32 and base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == secret
        ids.add(key_id)
        secrets_seen.append(int.from_bytes(raw, "big"))
    assert len(ids) == len(set(secrets_seen)) == 64
    # No bit of the secret is fixed: each of the 256 takes both values across 64 keys (for random bits,
    # one staying put has odds of 2^-63), so a key is not, say, 64 random bits padded out.
    ones = zeros = 0
    for value in secrets_seen:
        ones |= value
        zeros |= ~value & (2**256 - 1)
    assert ones == zeros == 2**256 - 1


def _values(deployment: Deployment) -> Iterator[tuple[str, str]]:
    """Every value of every column of every table, as text."""
    with deployment.uow().writing() as uow:
        for table in Base.metadata.sorted_tables:
            for row in uow.session.execute(select(table)).mappings():
                for column, value in row.items():
                    text = (
                        bytes(value).decode("latin-1")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    yield f"{table.name}.{column}", text


def test_keys_are_stored_only_as_a_hash(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        key = create_key(uow, "stored-key", Role.ARCHIVIST)
        revoke_key(uow, "stored-key")  # the revocation is logged too
    match = KEY_FORMAT.match(key)
    assert match is not None
    key_id, secret = match.groups()
    values = list(_values(deployment))
    assert any(where == "api_keys.id" and text == key_id for where, text in values)
    for where, text in values:
        assert secret not in text, f"{where} holds the key's secret"
    with deployment.uow().writing() as uow:
        rows = uow.session.execute(select(Base.metadata.tables["api_keys"])).mappings().all()
    [row] = [r for r in rows if r["id"] == key_id]
    assert row["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    if deployment.name == "embedded":  # and not in any page of the database file, live or free
        deployment.db.dispose()
        files = Path(deployment.settings.database_url.removeprefix("sqlite:///")).parent.glob("archive.db*")
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{path.name} holds the key's secret"


def _printed_key(stdout: Path) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.findall(r"^ark_\S+$", stdout.read_text(), re.MULTILINE)
        if found:
            return str(found[0])
        time.sleep(0.05)
    raise AssertionError("the first start printed no admin key")


def test_a_key_never_appears_in_the_server_logs(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path) as server:
        admin = _printed_key(server.stdout_path)  # the first start's admin key, printed once, on stdout
        made = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "alice")
        alice = made.stdout.strip()
        assert KEY_FORMAT.match(alice) and KEY_FORMAT.match(admin), (alice, admin)
        assert run_archive(tmp_path, "keys", "revoke", "alice").returncode == 0
        forged = admin[:-43] + secrets.token_urlsafe(32)  # the admin key's id, another secret
        basic = base64.b64encode(f"admin:{admin}".encode()).decode()
        authorizations = [
            f"Bearer {admin}",
            f"Bearer {alice}",  # revoked
            f"Bearer {forged}",
            f"Basic {basic}",
            f"bearer {admin}",
            f"Bearer  {admin}",
        ]
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("POST", "/v1/documents", {"files": {"file": ("a.txt", b"logged, never the key")}}),
            ("GET", "/v1/documents", {}),
            ("GET", "/v1/documents/NOT-A-ULID", {}),
            ("GET", f"/v1/blobs/{'0' * 64}", {}),
            ("POST", "/v1/verify", {"json": {"blake3": "0" * 64}}),
            ("GET", "/healthz", {}),
        ]
        sent = 0
        for authorization in authorizations:
            headers = {"Authorization": authorization}
            for method, path, kwargs in calls:
                httpx2.request(method, f"{server.url}{path}", headers=headers, timeout=30, **kwargs)
                sent += 1
        stdout, stderr = server.stop()
    requests = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert len([r for r in requests if r.get("message") == "request"]) >= sent  # the requests were logged
    assert {r["status"] for r in requests if r.get("message") == "request"} >= {200, 201, 401, 404, 422}
    for key in (admin, alice, forged):
        secret = key.split("_", 2)[2]  # ark_<id>_<secret>: the secret itself may hold "_"
        assert secret not in stderr, "a key's secret is in the server's log"
    assert basic not in stderr and "Bearer" not in stderr and "Basic" not in stderr
    assert stdout.count(admin) == 1 and alice not in stdout  # shown once, at the first start, and no other


def test_the_openapi_document_declares_the_key_on_every_route_that_takes_one(tmp_path: Path) -> None:
    app = built_app(tmp_path)
    document = app.openapi()
    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An archive API key, sent as `Authorization: Bearer ark_…`.",
    }
    for operation in sorted(documented_operations(app)):
        method, path = operation.split(" ", 1)
        declared = document["paths"][path][method.lower()].get("security")
        if ROUTES[operation].role is None:
            assert declared is None, operation
        else:
            assert declared == [{"apiKey": []}], operation
