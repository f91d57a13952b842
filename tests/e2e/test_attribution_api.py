"""Credits, photos and notices through the API: supplied, extracted, searchable, with evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Deployment, shared_path
from tests.e2e.conftest import Api, running_api
from tests.e2e.test_refusals import assert_problem

SEED = shared_path("corpus", "seed")
SEED_TEXT = SEED / "dhs-irs-deputize.txt"
EXPECTED = json.loads((SEED / "dhs-irs-deputize.expected.json").read_text())
NEWS = shared_path("corpus", "news")


def credit_set(version: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(c["name"], c["kind"], c["role"]) for c in version["credits"]}


def assert_spans_match_text(api: Api, version: dict[str, Any]) -> str:
    """Every span in the version indexes its text: the credit's span reads the credit's name."""
    text_response = api.get(f"/v1/documents/{version['document_id']}/versions/{version['version']}/text")
    assert text_response.status_code == 200
    assert text_response.headers["content-type"].startswith("text/plain")
    text = text_response.text
    for credit in version["credits"] + [c for p in version["photos"] for c in p["credits"]]:
        evidence = credit["evidence"]
        if evidence and evidence["span"]:
            start, end = evidence["span"]
            assert text[start:end] == credit["name"], credit
    for notice in version["update_notices"]:
        if notice["evidence"] and notice["evidence"]["span"]:
            start, end = notice["evidence"]["span"]
            assert text[start:end] == notice["text"]
    return text


def test_seed_article_is_attributed_from_its_text(api: Api) -> None:
    response = api.upload(SEED_TEXT.read_bytes(), filename="dhs.txt", media_type=EXPECTED["media_type"])
    assert response.status_code == 201, response.text
    version = response.json()
    expected = {(c["name"], c["kind"], c["role"]) for c in EXPECTED["credits"]}
    assert credit_set(version) == expected
    names = {c["name"] for c in version["credits"]}
    assert not names & set(EXPECTED["not_credits"])
    assert all(c["source"] == "extracted" for c in version["credits"])
    assert {c["marc_relator"] for c in version["credits"]} == {"aut", "ctb", "pht", "cph"}
    assert version["title"] == EXPECTED["title"]
    assert version["subtitle"] == EXPECTED["subtitle"]
    assert version["field_evidence"]["title"]["source"] == "extracted"
    [photo] = version["photos"]
    assert photo["caption"] == EXPECTED["photos"][0]["caption"]
    assert photo["credit"] == EXPECTED["photos"][0]["credit"]
    assert {(c["name"], c["role"]) for c in photo["credits"]} == {
        ("Tia Dufour", "photographer"),
        ("U.S. Department of Homeland Security", "photo_credit"),
    }
    assert [(n["text"], n["date"]) for n in version["update_notices"]] == [("Updated:", None)]
    text = assert_spans_match_text(api, version)
    assert text == SEED_TEXT.read_text(encoding="utf-8")


def test_supplied_credits_win_and_extracted_ones_are_kept(api: Api) -> None:
    metadata = {
        "title": "Supplied title",
        "publisher": EXPECTED["publisher"],
        "credits": [
            {"name": "Samantha Flom", "role": "author", "identifiers": {"orcid": "0000-0002-1825-0097"}},
            {"name": "Someone Else", "role": "author"},
        ],
    }
    response = api.upload(SEED_TEXT.read_bytes(), metadata=metadata, media_type="text/plain")
    assert response.status_code == 201, response.text
    version = response.json()
    authors = [c for c in version["credits"] if c["role"] == "author"]
    assert [(a["name"], a["source"]) for a in authors] == [
        ("Samantha Flom", "supplied"),
        ("Someone Else", "supplied"),
    ]
    assert authors[0]["identifiers"] == {"orcid": "0000-0002-1825-0097"}
    assert authors[0]["evidence"]["rule"], "the text confirmed the supplied author"
    assert version["title"] == "Supplied title"
    assert version["alternatives"]["title"][0]["value"] == EXPECTED["title"]
    assert version["publisher"] == EXPECTED["publisher"]
    contributors = {c["name"] for c in version["credits"] if c["role"] == "contributor"}
    assert contributors == {"Tom Ozimek", "Jack Phillips"}, "roles not supplied keep extracted credits"


def test_search_by_credit_and_role_and_agent_page(api: Api) -> None:
    seed = api.upload(SEED_TEXT.read_bytes(), media_type="text/plain").json()
    other = api.upload(
        b"Unrelated text",
        metadata={"title": "Other", "credits": [{"name": "Zoë Åberg", "role": "photographer"}]},
    ).json()

    def search(**params: str) -> list[str]:
        response = api.get("/v1/documents", params=params)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()["documents"]]

    assert search(credit="samantha FLOM") == [seed["document_id"]]
    assert search(credit="Samantha Flom", role="author") == [seed["document_id"]]
    assert search(credit="Samantha Flom", role="photographer") == []
    assert search(credit="zoe aberg") == [other["document_id"]]
    assert search(role="photographer") == [other["document_id"], seed["document_id"]]
    assert search(q="deputize irs") == [seed["document_id"]]
    assert search(q="unrelated") == []  # `q` reads titles only
    assert search(text="UNRELATED") == [other["document_id"]]  # `text` reads the text too
    assert search(text="deputize irs") == [seed["document_id"]]
    assert search(text="bessent treasury") == [seed["document_id"]]
    assert search(text="bessent unrelated") == []
    assert search(text="%") == search(text="_") == []  # matched as themselves, not as LIKE wildcards
    assert search() == [other["document_id"], seed["document_id"]]

    first = api.get("/v1/documents", params={"limit": "1"}).json()
    assert [d["id"] for d in first["documents"]] == [other["document_id"]]
    second = api.get("/v1/documents", params={"limit": "1", "cursor": first["next_cursor"]}).json()
    assert [d["id"] for d in second["documents"]] == [seed["document_id"]]
    assert second["next_cursor"] is None

    author = next(c for c in seed["credits"] if c["name"] == "Samantha Flom")
    agent = api.get(f"/v1/agents/{author['agent_id']}").json()
    assert agent["name"] == "Samantha Flom"
    assert agent["kind"] == "person"
    assert [(c["document_id"], c["role"]) for c in agent["credits"]] == [(seed["document_id"], "author")]
    assert_problem(api.get("/v1/agents/999999"), 404)
    assert_problem(api.get("/v1/agents/x"), 422)
    assert_problem(api.get("/v1/documents", params={"role": "wizard"}), 422)
    assert_problem(api.get("/v1/documents", params={"limit": "1000"}), 422)
    assert_problem(api.get("/v1/documents", params={"cursor": "../x"}), 422)


@pytest.mark.parametrize(
    ("credits", "field"),
    [
        ([{"name": "A", "role": "wizard"}], "credits.0.role"),
        ([{"name": "", "role": "author"}], "credits.0.name"),
        ([{"name": "x" * 301, "role": "author"}], "credits.0.name"),
        ([{"name": "Bad\u0000Name", "role": "author"}], "credits.0.name"),
        ([{"name": "A", "role": "author", "kind": "robot"}], "credits.0.kind"),
        ([{"name": "A", "role": "author", "identifiers": {"orcid": "12"}}], "credits.0.identifiers.orcid"),
        ([{"name": f"N{i}", "role": "author"} for i in range(201)], "credits"),
    ],
)
def test_bad_supplied_credits_are_422(api: Api, credits: list[dict[str, object]], field: str) -> None:
    body = assert_problem(api.upload(b"some text", metadata={"credits": credits}), 422)
    assert field in {error["field"] for error in body["errors"]}
    assert api.version_count() == 0


def test_a_document_without_text_has_no_text_route(api: Api) -> None:
    version = api.upload(b"\x00\x01 not read", filename="x.bin", media_type="application/octet-stream").json()
    assert version["credits"] == []
    assert version["extraction_problems"] == []
    assert_problem(api.get(f"/v1/documents/{version['document_id']}/versions/1/text"), 404)


def test_a_truncated_photo_is_archived_with_the_reason_and_no_text(api: Api) -> None:
    response = api.upload(b"\x89PNG\r\n\x1a\n", filename="x.png", media_type="image/png")

    assert response.status_code == 201
    version = response.json()
    assert version["credits"] == []
    assert version["extraction_problems"] == [
        "the Content Credentials cannot be read: Other: asset could not be parsed: PNG out of range",
        "no preview: Pillow could not decode it: UnidentifiedImageError (not an image format it reads)",
    ]
    assert_problem(api.get(f"/v1/documents/{version['document_id']}/versions/1/text"), 404)


@pytest.mark.parametrize(
    "page",
    [
        "dev-01_APNews_2023_04_28",
        "dev-12_Nature_2025_11_04",
        "dev-14_Metro_2024_07_17",
        "dev-19_TheGuardian_2024_02_24",
    ],
)
def test_news_pages_are_attributed_from_their_html(api: Api, page: str) -> None:
    truth = json.loads((NEWS / f"{page}.json").read_text())["ground_truth"]
    html = (NEWS / f"{page}.html").read_bytes()
    response = api.upload(html, filename=f"{page}.html", media_type="text/html; charset=utf-8")
    assert response.status_code == 201, response.text
    version = response.json()
    authors = [c["name"] for c in version["credits"] if c["role"] == "author"]
    assert {a.casefold() for a in authors} == {a.casefold() for a in truth["authors"]}
    assert version["title"] == truth["title"]
    assert version["published_at"][:10] == truth["published"][:10]
    assert version["photos"], "credited photos are found"
    assert_spans_match_text(api, version)


HOSTILE_PAGES = {
    "external entity": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<html><body><p>&x;</p></body></html>",
    "deep nesting": b"<html><body>" + b"<div>" * 20000 + b"text" + b"</div>" * 20000 + b"</body></html>",
    "not html at all": bytes(range(256)) * 64,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES))
def test_hostile_html_is_archived_and_never_leaks(api: Api, name: str) -> None:
    data = HOSTILE_PAGES[name]
    response = api.upload(data, filename="page.html", media_type="text/html")
    assert response.status_code == 201, response.text
    version = response.json()
    assert "root:" not in json.dumps(version)
    assert api.get(f"/v1/blobs/{version['blake3']}").content == data


def test_a_page_over_the_parse_limit_is_archived_unparsed(deployment: Deployment) -> None:
    with running_api(deployment, extract_max_bytes=1024) as api:
        page = (NEWS / "dev-19_TheGuardian_2024_02_24.html").read_bytes()
        version = api.upload(page, filename="g.html", media_type="text/html").json()
        assert version["credits"] == []
        assert version["title"] is None
        assert version["extraction_problems"] == [
            f"not parsed: {len(page)} bytes is over the 1024-byte limit"
        ]
