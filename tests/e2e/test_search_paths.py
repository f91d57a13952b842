"""Search's cheaper paths at scale, on both deployments, against what they replace: facets counted from what
the candidates' queries read, and a credit filter naming many versions read by ranges of credits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy

from archive.search import filters as search_filters
from archive.search import postgres as postgres_engine
from archive.search import sqlite as sqlite_engine
from archive.search.model import SearchFilters
from archive.search.query import parse_query
from archive.services.search import FACET_SIZE
from archive.services.unit_of_work import search_index
from tests.conftest import Deployment
from tests.e2e.conftest import Api, running_api
from tests.e2e.test_search_api import _search, _titles, archived  # noqa: F401  (a fixture)


@pytest.mark.parametrize("q", [None, "parks", "the", "council OR harbour"])
def test_facets_from_the_candidates_equal_facets_read_afresh(
    api: Api,
    archived: list[str],  # noqa: F811  (the fixture)
    q: str | None,
) -> None:
    with api.deployment.uow().reading() as uow:
        found = uow.search.candidates(parse_query(q or ""), SearchFilters(), 1000)
        ids = [version_id for version_id, _ in found.ranked]
        assert ids and set(ids) <= set(uow.search.facts)  # type: ignore[attr-defined]
        noted = uow.search.facets(ids, FACET_SIZE)
        afresh = search_index(uow.session).facets(ids, FACET_SIZE)
        # some known from the candidates, the rest read
        del uow.search.facts[ids[0]]  # type: ignore[attr-defined]
        mixed = uow.search.facets(ids, FACET_SIZE)
    assert noted == afresh == mixed
    if q is None:
        assert ("The Gazette", 2) in noted.publisher and ("2024", 2) in noted.year
        assert ("en", 3) in noted.language and ("Ada Example", 2) in noted.credit


def _archive_lanterns(api: Api) -> None:
    """An old version titled with the word, by Ada; then versions holding it in their text alone, every
    other one by Ada, the rest by Bob."""
    old = {"title": "Lanterns", "language": "en", "credits": [{"name": "Ada Example", "role": "author"}]}
    assert api.upload(b"Intro.\n\nAn old piece.", metadata=old).status_code == 201
    for number in range(16):
        name = "Ada Example" if number % 2 else "Bob Other"
        metadata = {
            "title": f"Item {number}",
            "language": "en",
            "credits": [{"name": name, "role": "author"}],
        }
        text = f"Intro.\n\nLanterns and more lanterns, item {number}.".encode()
        assert api.upload(text, metadata=metadata).status_code == 201
    if api.deployment.name == "production":  # the planner's estimate of the words' share
        with api.deployment.db.engine.begin() as connection:
            connection.execute(sqlalchemy.text("ANALYZE search_vectors"))


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of `credited_between` by either engine."""
    calls: list[int] = []
    original = search_filters.credited_between

    def counted(*args: Any) -> Any:
        calls.append(1)
        return original(*args)

    for module in (sqlite_engine, postgres_engine):
        monkeypatch.setattr(module, "credited_between", counted)
    return calls


@pytest.mark.parametrize("countable", [True, False])
def test_a_credit_on_many_versions_read_by_ranges_finds_what_checking_each_match_finds(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, countable: bool
) -> None:
    if not countable:
        monkeypatch.setattr(sqlite_engine, "COUNTABLE", 0)
    monkeypatch.setattr(search_filters, "FEW_CREDITED", 1)  # Ada's 9 versions are "many"
    calls = _count_calls(monkeypatch)
    with running_api(deployment, search_candidates=3) as api:
        _archive_lanterns(api)
        answers: dict[float, dict[str, Any]] = {}
        for share in (2.0, 0.0):  # never by ranges (each match checked), then always
            for module in (sqlite_engine, postgres_engine):
                monkeypatch.setattr(module, "CREDITED_RANGE_SHARE", share)
            answers[share] = _search(api, q="lantern", credit="ada example", limit=10)
            assert bool(calls) is (share == 0.0 and (deployment.name == "production" or not countable))
        by_check, by_range = answers[2.0], answers[0.0]
    assert by_range["results"] == by_check["results"] and by_range["facets"] == by_check["facets"]
    titles = _titles(by_range)
    if deployment.name == "production" or not countable:  # past the bound: the old title match first
        assert titles[0] == "Lanterns" and titles[1:] == ["Item 15", "Item 13", "Item 11"]
        assert by_range["total_exact"] is False
    assert {"value": "Ada Example", "count": len(titles)} in by_range["facets"]["credit"]


@pytest.mark.parametrize("reach", [50, 0])
def test_under_a_credit_on_many_versions_older_title_matches_are_looked_for_within_a_reach(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, reach: int
) -> None:
    monkeypatch.setattr(sqlite_engine, "COUNTABLE", 0)
    monkeypatch.setattr(search_filters, "FEW_CREDITED", 1)
    monkeypatch.setattr(search_filters, "CREDITED_TITLE_REACH", reach)
    with running_api(deployment, search_candidates=3) as api:
        _archive_lanterns(api)
        credited = _search(api, q="lantern", credit="ada example")
        unfiltered = _search(api, q="lantern")
    assert ("Lanterns" in _titles(credited)) is (reach > 0)
    assert _titles(unfiltered)[0] == "Lanterns"  # without a credit filter, not bounded


def test_the_reach_of_title_matches_is_bounded_under_a_credit_filter_only() -> None:
    unbounded: Callable[..., float | None] = search_filters.title_checks
    assert unbounded(SearchFilters(), 0.5, 1000, None) is None
    assert unbounded(SearchFilters(), 0.5, 1000, 4000) == 4000
    reach = search_filters.CREDITED_TITLE_REACH * 1000 * 0.5
    assert unbounded(SearchFilters(credit="ada"), 0.5, 1000, None) == reach
    assert unbounded(SearchFilters(role="author"), 0.5, 1000, 10) == 10


def test_on_postgresql_the_title_pool_is_scored_as_a_full_ranking_scores_it(deployment: Deployment) -> None:
    """The title and names pool is not scored again: its `ts_rank` is of the whole tsvector and query."""
    queries = ("lantern", "lantern -nothing")
    with running_api(deployment, search_candidates=3) as api:
        _archive_lanterns(api)
        bounded = [_search(api, q=q, limit=10) for q in queries]
    with running_api(deployment, key_prefix="full", search_candidates=1000) as api:
        full = [_search(api, q=q, limit=100) for q in queries]
    for answer, ranked in zip(bounded, full, strict=True):
        assert answer["total_exact"] is False and "Lanterns" in _titles(answer)  # from the title pool
        scores = {result["title"]: result["score"] for result in ranked["results"]}
        if deployment.name == "production":
            assert all(scores[result["title"]] == result["score"] for result in answer["results"])
