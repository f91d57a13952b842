"""Every photo and PDF of the shared corpus uploaded through the API: archived, never a server error, and
a PDF's embedded and printed attribution on its version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.extract import extract_path
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


def test_a_photo_version_carries_its_embedded_credits_rights_caption_and_date(api: Api) -> None:
    [path] = MEDIA.glob("dev-img10*.jpg")
    version = api.upload(path.read_bytes(), filename=path.name, media_type="image/jpeg").json()

    assert [(c["name"], c["role"], c["kind"]) for c in version["credits"]] == [
        ("Phil Harvey", "photographer", "person"),
        ("My Credit", "photo_credit", "organization"),
        ("I'm the source", "photo_credit", "organization"),
    ]
    assert version["credits"][0]["evidence"] == {
        "rule": "image.creator",
        "span": None,
        "field": "IPTC:By-line",
    }
    assert (version["title"], version["rights"], version["description"], version["date_created"]) == (
        "Test IPTC picture",
        "Copyright 2004 Phil Harvey",
        "A witty caption",
        "2004-02-26",
    )
    assert version["field_evidence"]["rights"]["field"] == "IPTC:CopyrightNotice"
    assert version["text_url"] is None


def test_without_exiftool_a_photo_is_archived_and_readiness_says_so(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.extract.exiftool.EXIFTOOL", "exiftool-that-is-not-installed")
    [path] = MEDIA.glob("dev-img10*.jpg")

    ready = api.client.get("/readyz")
    version = extract_path(path, "image/jpeg")

    assert ready.status_code == 200
    assert ready.json()["checks"]["exiftool"].startswith("missing")
    assert version.credits == []
    assert version.problems == ["exiftool is not installed: embedded metadata was not read"]


def test_a_photo_with_content_credentials_shows_their_state(api: Api) -> None:
    [path] = MEDIA.glob("dev-img03*.jpg")  # a manifest whose asset hash no longer matches
    version = api.upload(path.read_bytes(), filename=path.name, media_type="image/jpeg").json()

    credentials = version["content_credentials"]
    assert (credentials["present"], credentials["valid"], credentials["failures"]) == (
        True,
        False,
        ["assertion.dataHash.mismatch"],
    )
    assert credentials["untrusted_signer"] is True
    assert [(c["name"], c["role"], c["evidence"]["field"]) for c in version["credits"]] == [
        ("John Doe", "photographer", "C2PA:CreativeWork.author")
    ]


def test_values_the_file_holds_that_lost_are_alternatives_with_their_fields(api: Api) -> None:
    [path] = MEDIA.glob("dev-img09*.jpg")  # exiftool's MWG test image: EXIF, IPTC and XMP disagree
    version = api.upload(path.read_bytes(), filename=path.name, media_type="image/jpeg").json()

    alternatives = version["alternatives"]
    assert {
        "value": "WRONG-IPTC-Copyright",
        "source": "extracted",
        "rule": "image.rights",
        "span": None,
        "field": "IPTC:CopyrightNotice",
    } in alternatives["rights"]
    assert {(a["value"], a["field"]) for a in alternatives["photographer"]} >= {
        ("WRONG1of2-IPTC-Creator", "IPTC:By-line"),
        ("WRONG1of2-XMP-Creator", "XMP-dc:Creator"),
    }
    assert version["rights"] not in {a["value"] for a in alternatives["rights"]}
