"""Exporting a document as a BagIt bag (RFC 8493) in a zip, as another preservation system receives it."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bagit
import bagit_utils
import blake3
import pytest
from sqlalchemy import update

from archive.db.models import Version
from archive.ledger import Verifier
from archive.ledger.receipts import check_receipt
from archive.services.export_files import bag_filename
from archive.storage import blob_key
from tests.conftest import Deployment, embedded_deployment, shared_path
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive
from tests.e2e.test_refusals import assert_problem

SOURCE_URL = "https://www.theepochtimes.com/us/dhs-looks-to-deputize-irs-agents-5806543"
SEED = shared_path("corpus", "seed")
UPLOADS = {1: SEED / "dhs-irs-deputize.txt", 2: SEED / "dhs-irs-deputize.v2.txt"}
TAG_FILES = {
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "manifest-sha512.txt",
    "tagmanifest-sha256.txt",
}
UNKNOWN_ID = "01JAAAAAAAAAAAAAAAAAAAAAAA"


def archive_two_versions(api: Api) -> str:
    """The seed article and its re-capture at the same URL: one document, two versions; its id."""
    numbers: list[tuple[str, int]] = []
    for path in UPLOADS.values():
        response = api.upload(path.read_bytes(), metadata={"source_url": SOURCE_URL}, filename=path.name)
        assert response.status_code == 201, response.text
        numbers.append((response.json()["document_id"], response.json()["version"]))
    [(document_id, _), _] = numbers
    assert numbers == [(document_id, 1), (document_id, 2)]
    return document_id


def unzip_bag(data: bytes, document_id: str, into: Path) -> Path:
    """Extract the zip, which must hold nothing but the one bag folder `<id>/`; the bag's path."""
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        for name in bundle.namelist():
            assert name.startswith(f"{document_id}/"), name
            assert ".." not in name.split("/") and "\\" not in name, name
        bundle.extractall(into)
    return into / document_id


def content_file(bag: Path, number: int) -> Path:
    [only] = (bag / "data" / "versions" / str(number) / "content").iterdir()
    return only


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_export_is_a_bag_of_every_version_that_validates(api: Api, tmp_path: Path) -> None:
    document_id = archive_two_versions(api)

    response = api.get(f"/v1/documents/{document_id}/export")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="{document_id}.zip"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert int(response.headers["content-length"]) == len(response.content)
    bag_path = unzip_bag(response.content, document_id, tmp_path)
    assert {p.name for p in bag_path.iterdir()} >= TAG_FILES
    bag = bagit.Bag(str(bag_path))
    assert bag.validate()
    assert (bag_path / "bagit.txt").read_text() == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    assert bag.version_info == (1, 0)
    second = bagit_utils.Bag(bag_path, load=True).validate()  # another implementation, checking payloads too
    assert second.valid and second.issues == [], second.issues
    assert bag.info["External-Identifier"] == document_id
    assert bag.info["Archive-Log-Origin"] == api.deployment.settings.log_origin
    assert bag.info["Bagging-Date"]
    payload = [p for p in (bag_path / "data").rglob("*") if p.is_file()]
    assert bag.info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"

    for number, upload in UPLOADS.items():
        base = f"/v1/documents/{document_id}/versions/{number}"
        version = api.get(base).json()
        content = content_file(bag_path, number)
        assert content.name == upload.name
        assert content.read_bytes() == upload.read_bytes()
        assert blake3.blake3(content.read_bytes()).hexdigest() == version["blake3"]
        assert bag.entries[f"data/versions/{number}/content/{upload.name}"]["sha256"] == version["sha256"]

        folder = bag_path / "data" / "versions" / str(number)
        assert read_json(folder / "version.json") == version
        receipt = read_json(folder / "receipt.json")
        served = api.get(f"{base}/receipt").json()
        assert (receipt["entry"], receipt["index"]) == (served["entry"], served["index"])
        assert receipt["index"] == version["log_index"]
        assert receipt == served, "nothing was logged since, so the same checkpoint and proof"
        verifier = Verifier.from_vkey((bag_path / "data" / "log.vkey").read_text().strip())
        assert check_receipt(receipt, verifier).event["blake3"] == version["blake3"]
    assert (bag_path / "data" / "log.vkey").read_text() == api.get("/v1/log/key").text
    assert "data/log.vkey" in (bag_path / "manifest-sha256.txt").read_text()


def test_a_changed_payload_byte_fails_validation(api: Api, tmp_path: Path) -> None:
    document_id = archive_two_versions(api)
    bag_path = unzip_bag(api.get(f"/v1/documents/{document_id}/export").content, document_id, tmp_path)
    assert bagit.Bag(str(bag_path)).validate()

    tampered = content_file(bag_path, 2)
    data = bytearray(tampered.read_bytes())
    data[100] ^= 0x01  # same size, so only the checksums can tell
    tampered.write_bytes(bytes(data))

    with pytest.raises(bagit.BagValidationError) as failure:
        bagit.Bag(str(bag_path)).validate()
    assert [d.path for d in failure.value.details] == [f"data/versions/2/content/{tampered.name}"] * 2
    second = bagit_utils.Bag(bag_path, load=True).validate()
    assert not second.valid
    assert any(tampered.name in issue.message for issue in second.issues), second.issues


def test_stored_filenames_never_leave_the_bag(api: Api, tmp_path: Path) -> None:
    """Uploads' names are sanitised on the way in; names an older release kept must be safe on the way out."""
    document_id = archive_two_versions(api)
    with api.deployment.uow().writing() as uow:
        for number, stored in ((1, "../../../etc/passwd"), (2, "..\x07")):
            uow.session.execute(
                update(Version)
                .where(Version.document_id == document_id, Version.number == number)
                .values(filename=stored)
            )

    bag_path = unzip_bag(api.get(f"/v1/documents/{document_id}/export").content, document_id, tmp_path)

    assert bagit.Bag(str(bag_path)).validate()
    assert content_file(bag_path, 1).name == "passwd"
    second = api.get(f"/v1/documents/{document_id}/versions/2").json()
    assert content_file(bag_path, 2).name == second["blake3"]
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("a/b/../c\\d.txt", "d.txt"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\x\\photo.jpg", "photo.jpg"),
        ("line\nbreak\r.txt", "linebreak.txt"),
        ("\u202etxt.exe", "txt.exe"),
        ("50% off: what?.html", "50_ off_ what_.html"),
        (".", "BLAKE3"),
        ("..", "BLAKE3"),
        ("a/..", "BLAKE3"),
        ("\x00\x01", "BLAKE3"),
        ("   ", "BLAKE3"),
        ("", "BLAKE3"),
        (None, "BLAKE3"),
        ("é" * 200, "BLAKE3"),
    ],
)
def test_bag_filename_is_one_safe_segment_or_the_digest(stored: str | None, expected: str) -> None:
    digest = "ab" * 32
    assert bag_filename(stored, digest) == expected.replace("BLAKE3", digest)


def test_export_refusals(api: Api) -> None:
    document_id = archive_two_versions(api)
    assert_problem(api.client.get(f"/v1/documents/{document_id}/export"), 401)
    assert_problem(api.get(f"/v1/documents/{UNKNOWN_ID}/export"), 404)
    assert_problem(api.get("/v1/documents/not-a-ulid/export"), 422)


def test_export_leaves_no_temporary_files_whether_it_succeeds_or_fails(
    deployment: Deployment, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    with running_api(deployment, spool_dir=spool) as api:
        document_id = archive_two_versions(api)
        assert api.get(f"/v1/documents/{document_id}/export").status_code == 200
        assert not list(spool.glob("archive-export-*"))

        lost = api.get(f"/v1/documents/{document_id}/versions/1").json()["blake3"]
        deployment.store.delete(lost)
        missing = assert_problem(api.get(f"/v1/documents/{document_id}/export"), 502)
        assert (missing["blake3"], missing["fixity_status"]) == (lost, "missing")
        assert not list(spool.glob("archive-export-*"))


def test_export_refuses_bytes_that_changed_in_storage(embedded_archive: Deployment, tmp_path: Path) -> None:
    """A bag is sealed from what storage holds; it must not seal bytes other than those archived."""
    with running_api(embedded_archive) as api:
        document_id = archive_two_versions(api)
        version = api.get(f"/v1/documents/{document_id}/versions/2").json()
        stored = tmp_path / "blobs" / blob_key(version["blake3"])
        stored.chmod(0o644)
        stored.write_bytes(stored.read_bytes().replace(b"IRS", b"XYZ"))

        failed = assert_problem(api.get(f"/v1/documents/{document_id}/export"), 502)

    assert failed["fixity_status"] == "corrupt"
    assert failed["expected_sha256"] == version["sha256"]
    assert failed["found_sha256"] != version["sha256"]


@pytest.fixture
def embedded_archive(tmp_path: Path) -> Iterator[Deployment]:
    """An embedded archive laid out as the CLI finds it when run in `tmp_path` (its signing key included)."""
    deployment = embedded_deployment(tmp_path, signing_key_file=tmp_path / "data" / "log-signing.key")
    yield deployment
    deployment.db.dispose()


def test_cli_export_writes_the_same_bag(embedded_archive: Deployment, tmp_path: Path) -> None:
    with running_api(embedded_archive) as api:
        document_id = archive_two_versions(api)
        receipts = [api.get(f"/v1/documents/{document_id}/versions/{n}/receipt").json() for n in UPLOADS]
        versions = [api.get(f"/v1/documents/{document_id}/versions/{n}").json() for n in UPLOADS]
    output = tmp_path / "exports" / "bag.zip"
    output.parent.mkdir()

    exported = run_archive(tmp_path, "export", document_id, "-o", str(output))

    assert exported.returncode == 0, exported.stderr
    assert str(output) in exported.stdout
    assert [p.name for p in output.parent.iterdir()] == ["bag.zip"], "no partial file left behind"
    bag_path = unzip_bag(output.read_bytes(), document_id, tmp_path / "unzipped")
    assert bagit.Bag(str(bag_path)).validate()
    for number, upload in UPLOADS.items():
        folder = bag_path / "data" / "versions" / str(number)
        assert content_file(bag_path, number).read_bytes() == upload.read_bytes()
        assert read_json(folder / "version.json") == versions[number - 1]
        assert read_json(folder / "receipt.json") == receipts[number - 1]


def test_cli_export_fails_in_one_line(embedded_archive: Deployment, tmp_path: Path) -> None:
    with running_api(embedded_archive) as api:
        document_id = archive_two_versions(api)
    output = tmp_path / "bag.zip"

    unknown = run_archive(tmp_path, "export", UNKNOWN_ID, "-o", str(output))
    assert unknown.returncode == 1
    assert unknown.stderr == f"archive: no document with id {UNKNOWN_ID}\n"
    assert not output.exists()

    for unwritable in (tmp_path / "no-such-folder" / "bag.zip", tmp_path):
        refused = run_archive(tmp_path, "export", document_id, "-o", str(unwritable))
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"archive: cannot write {unwritable}: "), refused.stderr
        assert refused.stderr.count("\n") == 1, "one line"
    assert not list(tmp_path.glob(".*.partial"))
