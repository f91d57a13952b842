"""A document as an OCFL 1.1 object: validated by ocfl-py's ocfl-validate (digests held to the registered
algorithms), unchanged bytes shared between versions, and imported again into another archive with the same
versions; a tampered object is refused with nothing stored."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path
from sqlite3 import connect
from typing import Any

import pytest

from archive.roles import Role
from archive.services.ocfl_import import DocumentExists, import_ocfl
from tests.conftest import ROOT, Deployment, embedded_deployment, shared_path
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive

OCFL_PYTHON = ROOT / ".tools" / "ocfl" / "bin" / "python"
OCFL_VALIDATE = ROOT / ".tools" / "ocfl" / "bin" / "ocfl-validate.py"
SEED = shared_path("corpus", "seed")
SOURCE_URL = "https://www.theepochtimes.com/us/dhs-looks-to-deputize-irs-agents-5806543"
# What a version is, for "the same versions back": everything but when, by whom and where in the log.
COMPARED = (
    "version",
    "blake3",
    "sha256",
    "size",
    "media_type",
    "filename",
    "source_url",
    "title",
    "subtitle",
    "publisher",
    "language",
    "published_at",
    "note",
    "credits",
    "photos",
    "update_notices",
)


def ocfl_validate(folder: Path) -> subprocess.CompletedProcess[str]:
    if not OCFL_VALIDATE.exists():
        pytest.fail("ocfl-py is not installed: run scripts/tools", pytrace=False)
    return subprocess.run(
        [str(OCFL_PYTHON), str(OCFL_VALIDATE), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def archive_three_versions(api: Api) -> str:
    """The seed article, its re-capture, and a correction of the re-capture's metadata (same bytes)."""
    metadata = {
        "source_url": SOURCE_URL,
        "note": "first capture",
        "credits": [{"name": "Jane Roe", "role": "editor"}],
    }
    first = api.upload(
        (SEED / "dhs-irs-deputize.txt").read_bytes(), metadata=metadata, filename="article.txt"
    )
    assert first.status_code == 201, first.text
    document_id = first.json()["document_id"]
    second = api.upload(
        (SEED / "dhs-irs-deputize.v2.txt").read_bytes(),
        metadata={"source_url": SOURCE_URL, "note": "re-captured after the update"},
        filename="article.txt",
    )
    assert second.json()["version"] == 2
    correction = {"note": "publisher corrected", "publisher": "The Epoch Times"}
    third = api.client.post(f"/v1/documents/{document_id}/versions", json=correction, headers=api.auth())
    assert third.status_code == 201 and third.json()["version"] == 3, third.text
    return str(document_id)


def unzip(data: bytes, into: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        bundle.extractall(into)


def compared(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def credit(c: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in c.items() if k != "agent_id"}

    return [{**{k: v[k] for k in COMPARED}, "credits": [credit(c) for c in v["credits"]]} for v in versions]


def test_ocfl_export_validates_shares_bytes_and_imports_back(api: Api, tmp_path: Path) -> None:
    document_id = archive_three_versions(api)
    versions = api.get(f"/v1/documents/{document_id}/versions").json()["versions"]
    exported = api.get(f"/v1/documents/{document_id}/export", params={"format": "ocfl"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"] == f'attachment; filename="{document_id}.ocfl.zip"'
    unzip(exported.content, tmp_path / "out")
    root = tmp_path / "out" / document_id

    validated = ocfl_validate(root)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "is VALID" in validated.stdout and "[W" not in validated.stdout, validated.stdout

    inventory = json.loads((root / "inventory.json").read_text())
    assert inventory["head"] == "v3" and list(inventory["versions"]) == ["v1", "v2", "v3"]
    assert (root / "v3" / "inventory.json").read_bytes() == (root / "inventory.json").read_bytes()
    states = {
        name: {p: d for d, paths in v["state"].items() for p in paths}
        for name, v in inventory["versions"].items()
    }
    assert set(states["v1"]) == {"content/article.txt", "metadata.json", "receipt.json"}
    assert (
        states["v3"]["content/article.txt"]
        == states["v2"]["content/article.txt"]
        != states["v1"]["content/article.txt"]
    )
    shared = inventory["manifest"][states["v3"]["content/article.txt"]]
    assert shared == ["v2/content/content/article.txt"], "unchanged bytes are stored once"
    assert not (root / "v3" / "content" / "content").exists()
    assert inventory["fixity"]["sha256"][versions[1]["sha256"]] == shared
    notices = [n["text"] for n in versions[1]["update_notices"]]
    assert notices and inventory["versions"]["v2"]["message"] == "\n".join(
        ["re-captured after the update", *notices]
    )
    assert inventory["versions"]["v1"]["user"] == {
        "name": "test-archivist",
        "address": "urn:archive:key:test-archivist",
    }
    metadata = json.loads((root / "v1" / "content" / "metadata.json").read_text())
    assert metadata["blake3"] == versions[0]["blake3"] and metadata["supplied"]["note"] == "first capture"
    assert [c["name"] for c in metadata["credits"] if c["role"] == "editor"] == ["Jane Roe"]
    receipt = json.loads((root / "v1" / "content" / "receipt.json").read_text())
    assert receipt["index"] == versions[0]["log_index"]

    # The same archive already holds it: a conflict, and nothing is added.
    zipped = tmp_path / "document.ocfl.zip"
    zipped.write_bytes(exported.content)
    with pytest.raises(DocumentExists):
        import_ocfl(api.deployment.uow(), zipped, actor="test", max_bytes=1 << 30)
    assert api.version_count() == 3

    # Another archive takes it in, from the command line: the same versions, under the same id.
    other = tmp_path / "other"
    other.mkdir()
    assert run_archive(other, "db", "upgrade").returncode == 0
    imported = run_archive(other, "import", str(zipped), "--format", "ocfl")
    assert imported.returncode == 0, imported.stderr
    assert f"imported document {document_id}: 3 version(s)" in imported.stdout
    target = embedded_deployment(other)
    with running_api(target) as other_api:
        again = other_api.get(f"/v1/documents/{document_id}/versions").json()["versions"]
        answer = other_api.get(f"/v1/documents/{document_id}/export", params={"format": "ocfl"})
    target.db.dispose()
    assert answer.status_code == 200, answer.text
    reexported = answer.content
    assert compared(again) == compared(versions)
    unzip(reexported, tmp_path / "again")
    inventory_again = json.loads((tmp_path / "again" / document_id / "inventory.json").read_text())
    content_digests = [
        {d for d, paths in v["state"].items() if any(p.startswith("content/") for p in paths)}
        for inv in (inventory, inventory_again)
        for v in inv["versions"].values()
    ]
    assert content_digests[:3] == content_digests[3:]
    refused = run_archive(other, "import", str(zipped), "--format", "ocfl")
    assert refused.returncode == 1 and "already archived here" in refused.stderr


def test_a_tampered_object_is_refused_with_nothing_stored(
    api: Api, tmp_path: Path, deployment: Deployment
) -> None:
    document_id = archive_three_versions(api)
    exported = api.get(f"/v1/documents/{document_id}/export", params={"format": "ocfl"}).content
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("v1/content/content/article.txt"):
                data = data.replace(b"IRS", b"IRs", 1)
            target.writestr(item, data)
    (tmp_path / "tampered.zip").write_bytes(tampered.getvalue())
    other = tmp_path / "other"
    other.mkdir()
    assert run_archive(other, "db", "upgrade").returncode == 0
    refused = run_archive(other, "import", str(tmp_path / "tampered.zip"), "--format", "ocfl")
    assert refused.returncode == 1
    assert "v1/content/content/article.txt does not have the digest the inventory records" in refused.stderr
    assert run_archive(other, "history", document_id).returncode == 1
    (tmp_path / "not.zip").write_text("hello")
    assert (
        "is not a zip file"
        in run_archive(other, "import", str(tmp_path / "not.zip"), "--format", "ocfl").stderr
    )


def test_export_formats_are_checked_and_the_cli_writes_ocfl(api: Api, tmp_path: Path) -> None:
    document_id = archive_three_versions(api)
    refused = api.get(f"/v1/documents/{document_id}/export", params={"format": "tar"})
    assert refused.status_code == 422
    assert api.get(f"/v1/documents/{document_id}/export", params={"format": "bagit"}).status_code == 200
    assert (
        api.get(
            f"/v1/documents/{document_id}/export", role=Role.READER, params={"format": "ocfl"}
        ).status_code
        == 200
    )


def test_archive_export_format_ocfl(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    (tmp_path / "a.txt").write_text("an article\n")
    ingested = run_archive(tmp_path, "ingest", str(tmp_path / "a.txt"))
    assert ingested.returncode == 0, ingested.stderr
    (document_id,) = connect(tmp_path / "archive.db").execute("SELECT id FROM documents").fetchone()
    written = run_archive(tmp_path, "export", document_id, "-o", "doc.zip", "--format", "ocfl")
    assert written.returncode == 0, written.stderr
    unzip((tmp_path / "doc.zip").read_bytes(), tmp_path / "unzipped")
    validated = ocfl_validate(tmp_path / "unzipped" / document_id)
    assert validated.returncode == 0 and "is VALID" in validated.stdout, validated.stdout
    content = tmp_path / "unzipped" / document_id / "v1" / "content" / "content" / "a.txt"
    assert hashlib.sha256(content.read_bytes()).hexdigest() == hashlib.sha256(b"an article\n").hexdigest()
