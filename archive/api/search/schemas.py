"""The search API's wire models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

MAX_QUERY_CHARS = 1000
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


class SearchHitOut(BaseModel):
    document_id: str
    version: int
    latest: bool = Field(description="Whether this is the document's latest version.")
    title: str | None
    publisher: str | None
    published_at: datetime | None
    language: str | None
    snippet: str = Field(description="HTML: escaped text, matched words inside `<mark>`.")
    score: float = Field(description="Relevance: higher is better (comparable within one search only).")


class FacetOut(BaseModel):
    value: str
    count: int


class FacetsOut(BaseModel):
    publisher: list[FacetOut]
    credit: list[FacetOut]
    year: list[FacetOut]
    language: list[FacetOut]


class SearchPageOut(BaseModel):
    total: int = Field(description="Versions that match (a lower bound when `total_exact` is false).")
    total_exact: bool = Field(
        description="False when more versions matched than are ranked: results and facets are of the newest "
        "`total` of them."
    )
    results: list[SearchHitOut]
    facets: FacetsOut
    next_cursor: str | None
    problems: list[str] = Field(description="What was set aside in reading the query.")
    engine: str
