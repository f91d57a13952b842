"""Every photo and PDF of the shared corpus uploaded through the API: archived, never a server error, and
a PDF's embedded and printed attribution on its version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.e2e.conftest import Api

MEDIA = shared_path("corpus", "media")
FILES = sorted(path for path in MEDIA.iterdir() if path.suffix != ".json" and path.name != "README.md")


@pytest.mark.parametrize("path", FILES, ids=[path.name[:12] for path in FILES])
def test_a_media_file_is_archived(api: Api, path: Path) -> None:
    sidecar = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    response = api.upload(path.read_bytes(), filename=path.name, media_type=sidecar["media_type"])

    assert response.status_code == 201, response.text
    version = response.json()
    assert version["size"] == sidecar["size_bytes"]
    assert version["sha256"] == sidecar["sha256"]
    content = api.get(version["content_url"])
    assert content.status_code == 200
    assert content.content == path.read_bytes()


def test_a_pdf_version_carries_its_authors_title_and_creation_date(api: Api) -> None:
    [path] = MEDIA.glob("dev-pdf01*.pdf")
    version = api.upload(path.read_bytes(), filename=path.name, media_type="application/pdf").json()

    assert [(c["name"], c["role"], c["marc_relator"]) for c in version["credits"]] == [
        ("Mohammad Chuttur", "author", "aut")
    ]
    assert version["title"].startswith("Overview of the Technology Acceptance Model")
    assert version["date_created"] == "2010-03-16T02:13:32-01:00"
    assert version["field_evidence"]["date_created"] == {
        "source": "extracted",
        "rule": "pdf.created",
        "span": None,
        "field": "PDF:CreationDate",
    }
    text = api.get(version["text_url"]).text
    [credit] = version["credits"]
    start, end = credit["evidence"]["span"]
    assert text[start:end] == "Mohammad Chuttur"


def test_a_metadata_credit_names_its_field(api: Api) -> None:
    [path] = MEDIA.glob("dev-pdf08*.pdf")
    version = api.upload(path.read_bytes(), filename=path.name, media_type="application/pdf").json()

    [credit] = version["credits"]
    assert credit["name"] == "AgileBits"
    assert credit["evidence"] == {"rule": "pdf.author", "span": None, "field": "XMP-dc:Creator"}
