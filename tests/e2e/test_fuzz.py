"""The real server against its own OpenAPI document: schemathesis generates requests from `/openapi.json`
(documented examples, the coverage phase's boundary and invalid values, then random ones) and checks that
no answer is a 5xx and that each has a documented status, content type and body schema.

A fixed seed and a fixed number of cases per operation keep the run bounded and repeatable. The fuzzer
is confined: the server runs on an archive in this test's tmp folder (database, blobs, spool, signing key),
listens on 127.0.0.1 only, and the fuzzer is given that address alone, follows no redirect, goes through no
proxy, and writes its reports and caches under the tmp folder too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from tests.conftest import ROOT
from tests.e2e.server import run_archive, serving

SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
# Fixed for the suite (about a minute); `FUZZ_SEED=7 FUZZ_EXAMPLES=1000 scripts/fuzz` explores further.
SEED = int(os.environ.get("FUZZ_SEED", "1"))
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# Every check schemathesis has, its positive- and negative-data checks included: the OpenAPI document says
# exactly what the service accepts (JSON parts with their schema, `oneOf`, minimums, patterns), so a
# schema-valid request is never refused and a schema-invalid one never accepted. The stateful checks need
# the stateful phase, which does not fit the time budget.
CHECKS = ["all"]
# Statuses a schema-valid request may get besides schemathesis's defaults, where no schema can state the
# rule: a `Range` past the end of the content is 416 (RFC 9110), and a content route is told of ranges.
RANGE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "416", "429", "5xx"]
CONTENT_PATHS = "/content$|^/v1/blobs/"
# An upload's `metadata` part is limited in bytes (ARCHIVE_MAX_METADATA_BYTES), which a JSON Schema cannot
# state: past it the answer is 413, for a schema-valid part as for one that is not.
UPLOAD_OPERATIONS = r"^POST /v1/documents(/\{document_id\}/versions)?$"
ACCEPTED_OR_TOO_LARGE = ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]
REFUSED = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
# A capture's or a watch's URL may be well formed and still refused (422): the address guard refuses what
# the URL names (a private or reserved address in any spelling, a port out of range, a user name), which no
# schema states; and a purge's `confirm` must repeat the document's id from the path (422 otherwise).
GUARDED_OPERATIONS = r"^POST /v1/(captures|watches|documents/\{document_id\}/purge)$"
ACCEPTED_OR_GUARDED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
ARTICLE = (
    b"A fuzzed article\n\nBy Ada Example\n\nUpdated: Feb. 11, 2025\n\nThe body of the article, line one.\n"
)
SOURCE_URL = "https://example.org/news/2025/a-fuzzed-article"


@dataclass(frozen=True)
class Archived:
    document_id: str
    blake3: str
    sha256: str
    agent_id: int
    audit_id: str


def archive_one_document(url: str, key: str) -> Archived:
    """One document in two versions (an upload and a correction) and an audit, for generated ids to hit."""
    headers = {"Authorization": f"Bearer {key}"}
    metadata = {"source_url": SOURCE_URL, "credits": [{"name": "Ada Example", "role": "author"}]}
    files: dict[str, tuple[str, bytes, str] | str] = {
        "file": ("article.txt", ARTICLE, "text/plain; charset=utf-8"),
        "metadata": json.dumps(metadata),
    }
    created = httpx2.post(f"{url}/v1/documents", files=files, headers=headers, timeout=60)
    assert created.status_code == 201, created.text
    version = created.json()
    corrected = httpx2.post(
        f"{url}/v1/documents/{version['document_id']}/versions",
        json={"title": "A fuzzed article, corrected"},
        headers=headers,
        timeout=60,
    )
    assert corrected.status_code == 201, corrected.text
    audit = httpx2.post(f"{url}/v1/audits", headers=headers, timeout=60)
    assert audit.status_code == 202, audit.text
    return Archived(
        document_id=version["document_id"],
        blake3=version["blake3"],
        sha256=version["sha256"],
        agent_id=version["credits"][0]["agent_id"],
        audit_id=audit.json()["id"],
    )


def _toml(value: Any) -> str:
    return json.dumps(value)  # a JSON string or number is a TOML one too


def fuzzer_config(archived: Archived) -> str:
    """Dictionaries of real values, drawn for half of the generated values of these parameters, so that
    fuzzing reaches past the 404s into ranges, conditionals, diffs, proofs and Memento."""
    dictionaries: dict[str, list[Any]] = {
        "document_id": [archived.document_id],
        "blake3": [archived.blake3],
        "number": [1, 2],
        "agent_id": [archived.agent_id],
        "audit_id": [archived.audit_id],
        "uri_r": [SOURCE_URL],
        "log_index": [0, 1, 2, 3],
        "size": [1, 2, 3, 4],
        "credit": ["Ada Example", "ada example"],
        "range": ["bytes=0-9", "bytes=5-", "bytes=-5", "bytes=0-0", "bytes=1000000-", "bytes=9-3"],
        "etag": [f'"{archived.blake3}"', '"other"', "*"],
    }
    bindings = {
        "path.document_id": "document_id",
        "path.blake3": "blake3",
        "path.number": "number",
        "path.agent_id": "agent_id",
        "path.audit_id": "audit_id",
        "path.uri_r": "uri_r",
        "path.index": "log_index",
        "query.index": "log_index",
        "query.tree_size": "size",
        "query.from": "size",
        "query.to": "size",
        "query.credit": "credit",
        "query.source_url": "uri_r",
        "query.cursor": "document_id",
        "header.Range": "range",
        "header.If-Range": "etag",
        "header.If-None-Match": "etag",
    }
    lines = ["[dictionaries]"]
    lines += [f"{name} = {{ values = {_toml(values)} }}" for name, values in dictionaries.items()]
    lines += ["", "[parameters]"]
    lines += [
        f"{_toml(parameter)} = {{ dictionary = {_toml(name)}, probability = 0.5 }}"
        for parameter, name in bindings.items()
    ]
    lines += ["", "[auth.openapi.apiKey]", 'bearer = "${FUZZ_BEARER}"']  # the key, as the scheme says
    lines += [
        "",
        "[[operations]]",
        f"include-path-regex = {_toml(CONTENT_PATHS)}",
        f"checks.positive_data_acceptance.expected-statuses = {_toml(RANGE_STATUSES)}",
        "",
        "[[operations]]",
        f"include-name-regex = {_toml(UPLOAD_OPERATIONS)}",  # one filter: method and path together
        f"checks.positive_data_acceptance.expected-statuses = {_toml(ACCEPTED_OR_TOO_LARGE)}",
        f"checks.negative_data_rejection.expected-statuses = {_toml(REFUSED)}",
        "",
        "[[operations]]",
        f"include-name-regex = {_toml(GUARDED_OPERATIONS)}",
        f"checks.positive_data_acceptance.expected-statuses = {_toml(ACCEPTED_OR_GUARDED)}",
    ]
    return "\n".join(lines) + "\n"


def local_only_environment(home: Path) -> dict[str, str]:
    """The environment without proxies (traffic goes straight to 127.0.0.1), with HOME in the tmp folder."""
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    env = {k: v for k, v in os.environ.items() if k.lower() not in proxies and not k.startswith("ARCHIVE_")}
    env.update(NO_PROXY="127.0.0.1,localhost", HOME=str(home), NO_COLOR="1")
    env.update(PYTHONPATH=str(ROOT), SCHEMATHESIS_HOOKS="tests.e2e.fuzz_hooks")
    return env


def run_schemathesis(
    url: str, key: str, workdir: Path, config: Path, report: Path
) -> subprocess.CompletedProcess[str]:
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(config),  # this one, never a schemathesis.toml found above the tmp folder
        "run",
        f"{url}/openapi.json",
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        ",".join(CHECKS),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--max-redirects",
        "0",  # a TimeGate's 302 is checked, not followed
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    return subprocess.run(
        command,
        cwd=workdir,
        env=local_only_environment(workdir) | {"FUZZ_BEARER": key},
        capture_output=True,
        text=True,
        timeout=900 * max(1, EXAMPLES_PER_OPERATION // 100),
        check=False,
    )


def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    archive_dir, fuzz_dir = tmp_path / "archive", tmp_path / "schemathesis"
    archive_dir.mkdir()
    fuzz_dir.mkdir()
    assert run_archive(archive_dir, "db", "upgrade").returncode == 0
    key = run_archive(archive_dir, "keys", "create", "--role", "admin", "--name", "fuzzer").stdout.strip()
    with serving(archive_dir, ARCHIVE_CAPTURE_HOSTS="") as server:  # captures resolve no name, fetch nothing
        assert server.url.startswith("http://127.0.0.1:")
        archived = archive_one_document(server.url, key)
        config = fuzz_dir / "schemathesis.toml"
        config.write_text(fuzzer_config(archived))
        report_path = fuzz_dir / "report.json"
        result = run_schemathesis(server.url, key, fuzz_dir, config, report_path)
        # The archive survived: the first version's bytes are intact and the server still answers.
        headers = {"Authorization": f"Bearer {key}"}
        content = httpx2.get(
            f"{server.url}/v1/documents/{archived.document_id}/versions/1/content",
            headers=headers,
            timeout=30,
        )
        assert content.status_code == 200 and content.content == ARTICLE
        assert httpx2.get(f"{server.url}/readyz", timeout=30).status_code == 200
    assert report_path.exists(), result.stdout[-5000:] + result.stderr[-5000:]
    report = json.loads(report_path.read_text())
    cases = report["test_cases"]
    version = report["schemathesis_version"]
    print(f"\nschemathesis {version}, seed {SEED}, {EXAMPLES_PER_OPERATION} examples per operation:")
    print(
        f"{report['operations']['tested']} operations, {cases['generated']} test cases generated, "
        f"{cases['with_failures']} failing, {len(report['errors'])} errors, {report['running_time']:.0f} s"
    )
    for kind, operations in report["warnings"].items():
        if operations:
            print(f"schemathesis warning {kind}: {operations}")
    (fuzz_dir / "output.txt").write_text(result.stdout + result.stderr)  # whole, for reading at leisure
    details = f"(all of it in {fuzz_dir / 'output.txt'})\n" + result.stdout[-20000:] + result.stderr[-5000:]
    assert report["operations"]["tested"] == report["operations"]["total"] >= 34, details
    assert cases["generated"] > 1000, details
    assert report["failures"] == [] and report["errors"] == [] and cases["with_failures"] == 0, details
    assert result.returncode == 0, details
    assert run_archive(archive_dir, "log", "verify").returncode == 0  # what the fuzzer archived is all logged
