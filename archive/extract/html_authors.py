"""Who wrote the page: every source's author list, and the choice between them.

Sources are tried from the most to the least structured: schema.org (JSON-LD, then microdata) on the
article object, the author <meta> tags, trafilatura's byline heuristics, the page's byline element, a bold
name-only paragraph opening the text, and finally the plain-text rules' bylines. The first source naming
someone other than the site itself wins, whole: lists are not mixed across sources, because a lower source
that disagrees is more often wrong (a related story's byline) than complementary. An agency named where no
person is ("Associated Press") is kept; the site's own name is kept only when nothing else names anyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from archive.domain.credits import AgentKind
from archive.extract.html_names import (
    clean_text,
    has_organisation_word,
    is_junk_byline,
    is_site_name,
    looks_like_name_list,
    name_kind,
    split_author_names,
    split_listed_names,
)
from archive.extract.html_photos import Element, visible_text
from archive.extract.html_sources import PageSources, SchemaOrg, node_types
from archive.extract.model import FoundCredit, Span
from archive.names import normalize_name

_ORGANISATION_TYPES = frozenset(
    {"Organization", "NewsMediaOrganization", "Corporation", "NGO", "GovernmentOrganization"}
)
_AUTHOR_META_KEYS = (
    "author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author", "byl",
)  # fmt: skip
_BYLINE_XPATH = (
    "//*[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
    " | //*[contains(concat(' ', normalize-space(@itemprop), ' '), ' author ')]"
    " | //*[contains(translate(@class, 'BYLINE', 'byline'), 'byline')]"
)
_MAX_BYLINE = 150
_LEAD_LINES = 6  # a byline printed as the text's own line comes before the story gets going


@dataclass(frozen=True)
class AuthorCandidate:
    name: str
    rule: str
    kind: AgentKind | None = None  # None: guess from the name
    span: Span | None = None


def _schema_authors(schema: SchemaOrg) -> list[AuthorCandidate]:
    """The authors of the first article object that names any (article types before web pages)."""
    for node in schema.articles():
        kind_name = next(iter(node_types(node)), "Thing")
        for field_name in ("author", "creator"):
            raw = node.get(field_name)
            entries = raw if isinstance(raw, list) else [raw]
            rule = f"{schema.syntax}.{kind_name}.{field_name}"
            found = [candidate for entry in entries for candidate in _schema_agent(schema, entry, rule)]
            if found:
                return found
    return []


def _schema_agent(schema: SchemaOrg, entry: Any, rule: str) -> list[AuthorCandidate]:
    entry = schema.resolve(entry)
    if isinstance(entry, str):
        return [AuthorCandidate(name, rule) for name in split_author_names(entry)]
    if not isinstance(entry, dict):
        return []
    name = entry.get("name")
    if isinstance(name, list):
        name = next((item for item in name if isinstance(item, str)), None)
    if not isinstance(name, str) or not clean_text(name):
        return []
    types = node_types(entry)
    kind: AgentKind | None = None
    if "Person" in types:  # also when typed ["Person", "Organization"]
        kind = "person"
    elif any(kind_name in _ORGANISATION_TYPES for kind_name in types):
        kind = "organization"
    if kind == "organization":
        return [AuthorCandidate(clean_text(name), rule, kind)]
    # A person's name field holding a list ("A und B, C") is the list; its words are otherwise its own.
    return [AuthorCandidate(part, rule, kind) for part in split_listed_names(name)]


def _meta_authors(sources: PageSources) -> list[AuthorCandidate]:
    for key in _AUTHOR_META_KEYS:
        for value in sources.meta.get(key, []):
            names = [name for name in split_author_names(value) if not is_junk_byline(name)]
            if names:
                return [AuthorCandidate(name, f"meta.{key}") for name in names]
    return []


def _trafilatura_authors(sources: PageSources) -> list[AuthorCandidate]:
    author = getattr(sources.trafilatura_metadata, "author", None)
    if not isinstance(author, str):
        return []
    return [AuthorCandidate(name, "trafilatura.author") for name in split_author_names(author)]


def _byline_element_authors(tree: Element | None) -> list[AuthorCandidate]:
    """The first byline element (rel/itemprop "author", class "byline") whose text is only names."""
    if tree is None:
        return []
    for element in tree.xpath(_BYLINE_XPATH):
        text = visible_text(element)
        if not text or len(text) > _MAX_BYLINE:
            continue
        names = split_author_names(text)
        if names and all(name_kind(name) == "person" for name in names):
            return [AuthorCandidate(name, "html.byline") for name in names]
    return []


def _lead_bold_byline(tree: Element | None, text: str | None) -> list[AuthorCandidate]:
    """A bold paragraph of names opening the story ("**Jane Doe/John Roe**"), read from the text."""
    if tree is None or not text:
        return []
    bold_lines = {visible_text(element) for element in tree.iter("strong", "b")}
    offset = 0
    for line in text.split("\n")[:_LEAD_LINES]:
        stripped = line.strip()
        if stripped and stripped in bold_lines and looks_like_name_list(stripped):
            return list(_names_with_spans(stripped, offset + line.find(stripped), "html.byline"))
        offset += len(line) + 1
    return []


def _names_with_spans(line: str, line_start: int, rule: str) -> Iterable[AuthorCandidate]:
    position = 0
    for name in split_author_names(line):
        found = line.find(name, position)
        if found < 0:
            yield AuthorCandidate(name, rule)
            continue
        position = found + len(name)
        yield AuthorCandidate(name, rule, span=Span(line_start + found, line_start + found + len(name)))


def author_sources(
    sources: PageSources, text: str | None, text_bylines: list[FoundCredit]
) -> list[list[AuthorCandidate]]:
    """Every source's author list, most structured first."""
    from_text = [AuthorCandidate(c.name, c.rule, c.kind, c.span) for c in text_bylines]
    return [
        _schema_authors(sources.jsonld),
        _schema_authors(sources.microdata),
        _meta_authors(sources),
        _trafilatura_authors(sources),
        _byline_element_authors(sources.tree),
        _lead_bold_byline(sources.tree, text),
        from_text,
    ]


def _kind(candidate: AuthorCandidate) -> AgentKind:
    """schema.org's type, unless the name says otherwise: agencies are often typed Person."""
    if candidate.kind == "organization" or has_organisation_word(candidate.name):
        return "organization"
    if candidate.kind == "person":
        return "person"
    return name_kind(candidate.name)


def choose_authors(candidate_lists: list[list[AuthorCandidate]], site_names: list[str]) -> list[FoundCredit]:
    """The first source naming someone other than the site; the site itself only when no one else is named."""
    fallback: list[AuthorCandidate] = []
    for candidates in candidate_lists:
        named = [candidate for candidate in candidates if not is_junk_byline(candidate.name)]
        real = [candidate for candidate in named if not is_site_name(candidate.name, site_names)]
        if real:
            return _dedupe(real)
        if named and not fallback:
            fallback = named
    return _dedupe(fallback)


def _dedupe(candidates: list[AuthorCandidate]) -> list[FoundCredit]:
    seen: set[str] = set()
    credits: list[FoundCredit] = []
    for candidate in candidates:
        key = normalize_name(candidate.name)
        if key in seen:
            continue
        seen.add(key)
        credits.append(
            FoundCredit(
                name=candidate.name,
                role="author",
                kind=_kind(candidate),
                rule=candidate.rule,
                span=candidate.span,
            )
        )
    return credits
