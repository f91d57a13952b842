"""Real news pages archived through the API, on both deployments, found again by search: each by a word
of its own title, in its own language's word forms, with a marked snippet; then the index rebuilt by
`archive search reindex` answers the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.services.search import reindex
from tests.conftest import shared_path
from tests.e2e.conftest import Api
from tests.search_words import longest_word

PAGES = [
    ("news", "dev-01_APNews_2023_04_28.html"),
    ("news", "dev-03_Wired_2024_04_28.html"),
    ("news", "dev-04_TechCrunch_2024_04_28.html"),
    ("news-more", "at-01_DerStandard_2024_05_03.html"),
    ("news-more", "at-04_ORF_2024_11_22.html"),
    ("news-more", "es-03_ElDiario_2025_05_29.html"),
    ("news-more", "fr-01_EuronewsFR_2024_04_30.html"),
    ("news-more", "be-01_Nieuwsblad_2025_02_02.html"),
]


def _archive_pages(api: Api) -> list[dict[str, Any]]:
    versions = []
    for folder, name in PAGES:
        page: Path = shared_path("corpus", folder, name)
        created = api.upload(page.read_bytes(), filename=name, media_type="text/html; charset=utf-8")
        assert created.status_code == 201, created.text
        versions.append(created.json())
    return versions


def _found(api: Api, **params: Any) -> list[dict[str, Any]]:
    answer = api.get("/v1/search", params=params)
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def _check_found_by_title_words(api: Api, versions: list[dict[str, Any]]) -> None:
    for version in versions:
        word = longest_word(version["title"])
        results = _found(api, q=word, limit=100)
        assert version["document_id"] in [r["document_id"] for r in results], (word, version["title"])
        phrase = " ".join(version["title"].split()[:3])
        assert version["document_id"] in [r["document_id"] for r in _found(api, q=f'"{phrase}"', limit=100)]


def test_news_pages_are_found_by_their_words(api: Api) -> None:
    versions = _archive_pages(api)
    languages = {version["language"].split("-")[0].lower() for version in versions if version["language"]}
    assert {"en", "de", "es", "fr", "nl"} <= languages
    _check_found_by_title_words(api, versions)
    german = _found(api, language="de", limit=100)
    assert german and all(result["language"].lower().startswith("de") for result in german)
    mexico = _found(api, q="mexico economies", limit=5)  # word forms: "Mexico's economy grew"
    assert mexico and "<mark>" in mexico[0]["snippet"]
    with api.deployment.uow().reading() as uow:
        held = uow.search.count()
    assert held == len(PAGES)
    assert reindex(api.deployment.uow()) == len(PAGES)
    _check_found_by_title_words(api, versions)
