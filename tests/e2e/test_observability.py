"""Request ids, JSON logs and Prometheus metrics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx2

from tests.e2e.conftest import Api
from tests.e2e.server import run_archive, serving


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$" if labels else rf"^{name} (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_metrics_count_requests_by_route_and_upload_bytes(api: Api) -> None:
    before = api.client.get("/metrics").text
    version = api.upload(b"x" * 1234).json()
    api.get(f"/v1/documents/{version['document_id']}")
    api.get("/v1/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    after = api.client.get("/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    route = "/v1/documents/{document_id}"
    for status, grown in (("200", 1), ("404", 1)):
        counted = metric(text, "archive_http_requests_total", method="GET", route=route, status=status)
        assert (
            counted - metric(before, "archive_http_requests_total", method="GET", route=route, status=status)
            == grown
        )
    assert metric(text, "archive_upload_bytes_total") - metric(before, "archive_upload_bytes_total") == 1234
    assert "archive_http_request_duration_seconds_bucket" in text


def test_request_ids(api: Api) -> None:
    given = api.client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert given.headers["x-request-id"] == "trace-123"
    made = api.client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    hostile = api.client.get("/healthz", headers={"X-Request-ID": "a\tb" + "x" * 100})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])


def test_the_server_logs_json_lines_without_keys(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "logger").stdout.strip()
    with serving(tmp_path) as server:
        headers = {"Authorization": f"Bearer {key}", "X-Request-ID": "upload-1"}
        response = httpx2.post(
            f"{server.url}/v1/documents", files={"file": ("a.txt", b"logged")}, headers=headers, timeout=60
        )
        assert response.status_code == 201
        httpx2.get(f"{server.url}/v1/documents", headers={"Authorization": "Bearer ark_wrong"}, timeout=60)
        _, stderr = server.stop()
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    uploads = [r for r in records if r.get("request_id") == "upload-1"]
    assert uploads and uploads[0]["route"] == "/v1/documents" and uploads[0]["status"] == 201
    assert uploads[0]["method"] == "POST" and uploads[0]["level"] == "INFO"
    assert any(r.get("status") == 401 for r in records)
    assert key not in stderr and "ark_wrong" not in stderr and "Bearer" not in stderr
