"""Who wrote the page: every source's author list, and the choice between them.

The sources: schema.org (JSON-LD, then microdata) on the article object, the author <meta> tags,
trafilatura's byline heuristics, the page's byline element, a bold name-only paragraph opening the text,
the plain-text rules' bylines, an element whose class names the author, a short line opening with a
byline's word ("von …", "Par …", "Autorin/Autor …"), and names printed alone right before the date under
the headline (`archive.extract.html_dated_line`). Lists are not mixed freely across sources: each
source's list is a candidate (without the site's own name), with a few derived ones (a list's people
without its organisations, the union of lists of people that sources give apart, nobody), and the
candidate with the best weighed evidence wins (`archive.extract.weighing`, weights fitted on the
development pages): which sources give it, whether it is the first source naming someone, whether it
holds people or organisations, how it relates to the other lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from archive.domain.credits import AgentKind
from archive.extract.html_dated_line import dated_line_names
from archive.extract.html_elsewhere import Element
from archive.extract.html_names import (
    HOST_IN_PARENTHESES,
    clean_text,
    has_byline_prefix,
    has_organisation_word,
    is_junk_byline,
    is_site_name,
    looks_like_name_list,
    name_kind,
    split_author_names,
    split_listed_names,
)
from archive.extract.html_photos import visible_text
from archive.extract.html_sources import PageSources, SchemaOrg, node_types
from archive.extract.model import FoundCredit, Span
from archive.extract.weighing import Candidate, Weights, choose, weights_for
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
_AUTHOR_CLASS_XPATH = "//*[contains(translate(@class, 'AUTHOR', 'author'), 'author')]"
# "author" as a word of a class ("author", "article__author", "AuthorName"), not "authority"/"authors-list".
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:article[_-]*)?[Aa]uthor(?:[\s_-]|$)|(?<![a-z])Author(?![a-z])")
_MAX_BYLINE = 150
_MAX_BYLINE_LINES = 50  # candidate lines looked at per source, so that hostile pages cost little
# The first word of a line that may be a byline (checked in full by `has_byline_prefix`).
_BYLINE_WORD = re.compile(r"\s*(?:by|von|par|por|door|av|af|yazan|di|autor|autorin|author|auteur)\b", re.I)
_NOT_BYLINE_TAGS = frozenset({"script", "style", "noscript", "template", "title", "head", "option", "button"})
_INLINE_TAGS = frozenset({"strong", "b", "em", "i", "span", "small", "label"})
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


def _author_element_authors(tree: Element | None) -> list[AuthorCandidate]:
    """The first element whose class names it the author (`class="author"`, `article__author`) and whose
    text is a byline: "von David Straub, MDR THÜRINGEN", "Von Seb Dumitru"."""
    if tree is None:
        return []
    for number, element in enumerate(tree.xpath(_AUTHOR_CLASS_XPATH)):
        if number >= _MAX_BYLINE_LINES:
            break
        if not _AUTHOR_CLASS.search(element.get("class") or "") or element.tag in ("meta", "link", "script"):
            continue
        text = visible_text(element)
        if not text or len(text) > _MAX_BYLINE:
            continue
        names = [name for name in split_author_names(text) if not _is_junk_or_date(name)]
        if names and any(name_kind(name) == "person" for name in names):
            return [AuthorCandidate(name, "html.author") for name in names]
    return []


def _prefixed_byline_authors(tree: Element | None) -> list[AuthorCandidate]:
    """The first short line of the page that opens with a byline's word and goes on with names, whatever
    its markup: `<p>von <a>Dr. Max Kolter</a></p>`, `<li><strong>Autorin/Autor</strong> Roman G.</li>`."""
    if tree is None:
        return []
    # The elements themselves, not their id(): lxml makes element objects on demand, and the id of one
    # that was dropped is soon another's, which would skip a line (and make results depend on history).
    looked_at: set[Element] = set()
    for element in tree.iter():
        if not isinstance(element.tag, str) or not element.text or element.tag in _NOT_BYLINE_TAGS:
            continue
        if not _BYLINE_WORD.match(element.text):
            continue
        line = element
        if line.tag in _INLINE_TAGS and line.getparent() is not None:
            line = line.getparent()  # the label in bold, the names beside it
        if line in looked_at:
            continue
        looked_at.add(line)
        if len(looked_at) > _MAX_BYLINE_LINES:
            break  # a byline is near the top: a page of thousands of "by …" is not read to its end
        text = visible_text(line)
        if not text or len(text) > _MAX_BYLINE or not has_byline_prefix(text):
            continue
        names = [name for name in split_author_names(text) if not _is_junk_or_date(name)]
        if names and name_kind(names[0]) == "person":
            return [AuthorCandidate(name, "html.byline_line") for name in names]
    return []


def _dated_line_authors(tree: Element | None) -> list[AuthorCandidate]:
    return [AuthorCandidate(name, "html.dated_line") for name in dated_line_names(tree)]


def _is_junk_or_date(name: str) -> bool:
    """A placeholder, or a date or time printed on the byline's line ("Von A, 05.08.2024, 20:59 Uhr")."""
    return is_junk_byline(name) or any(character.isdigit() for character in name)


# Each source of an author list, in the order that breaks ties, with the feature naming it.
SOURCE_FEATURES = (
    "src:jsonld", "src:microdata", "src:meta", "src:trafilatura", "src:byline", "src:lead_bold",
    "src:text", "src:author_class", "src:byline_line", "src:dated_line",
)  # fmt: skip


def author_sources(
    sources: PageSources, text: str | None, text_bylines: list[FoundCredit]
) -> list[list[AuthorCandidate]]:
    """Every source's author list, most structured first (one list per `SOURCE_FEATURES` entry)."""
    from_text = [AuthorCandidate(c.name, c.rule, c.kind, c.span) for c in text_bylines]
    return [
        _schema_authors(sources.jsonld),
        _schema_authors(sources.microdata),
        _meta_authors(sources),
        _trafilatura_authors(sources),
        _byline_element_authors(sources.tree),
        _lead_bold_byline(sources.tree, text),
        from_text,
        _author_element_authors(sources.tree),
        _prefixed_byline_authors(sources.tree),
        _dated_line_authors(sources.tree),
    ]


def _kind(candidate: AuthorCandidate) -> AgentKind:
    """schema.org's type, unless the name says otherwise: agencies are often typed Person."""
    if candidate.kind == "organization" or has_organisation_word(candidate.name):
        return "organization"
    if candidate.kind == "person":
        return "person"
    return name_kind(candidate.name)


_Proposal = tuple[str, list[AuthorCandidate], bool, str | None]  # source, list, names someone, how made


def author_list_candidates(
    candidate_lists: list[list[AuthorCandidate]],
    site_names: list[str],
    editors: frozenset[str] = frozenset(),
) -> list[Candidate[list[AuthorCandidate]]]:
    """One candidate per distinct author list the sources give (compared as sets of normalised names),
    with the sources that give it and what it looks like; and the empty list, for a page that names no
    one (`_proposals` says which lists are proposed). `editors`: the names the page labels its editors
    (`archive.extract.html_editors`), which no list proposes as writers: schema.org data often gives the
    desk editor who published the page as its `author`."""
    by_key: dict[frozenset[str], Candidate[list[AuthorCandidate]]] = {}
    first_real: frozenset[str] | None = None
    for source, chosen, real, extra in _proposals(candidate_lists, site_names, editors):
        key = _key(chosen)
        if not key:
            continue
        if real and extra is None and first_real is None:
            first_real = key
        candidate = by_key.get(key)
        if candidate is None:
            candidate = by_key[key] = Candidate(chosen, chosen[0].rule, _list_shape(chosen, real_names=real))
        elif source.startswith("src:") and source not in candidate.features:
            candidate.features["agreement"] = candidate.features.get("agreement", 0.0) + 1.0
        candidate.features[extra or source] = 1.0
    for key, candidate in by_key.items():
        candidate.features.update(_relations(key, list(by_key), first_real))
    return [*by_key.values(), Candidate([], "none", {"nobody": 1.0})]


def _site_names_given(candidate_lists: list[list[AuthorCandidate]], site_names: list[str]) -> list[str]:
    """The site's names, with those a source writes beside the site's host: "Deutsche Welle" where one
    source says "Deutsche Welle (www.dw.com)" on dw.com, so that another source's bare "Deutsche Welle"
    is the site too, not a writer."""
    given = [
        bare
        for candidates in candidate_lists
        for candidate in candidates
        if HOST_IN_PARENTHESES.search(candidate.name)
        and (bare := HOST_IN_PARENTHESES.sub("", candidate.name).strip())
        and is_site_name(candidate.name, site_names)
    ]
    return [*site_names, *given]


def _proposals(
    candidate_lists: list[list[AuthorCandidate]], site_names: list[str], editors: frozenset[str]
) -> list[_Proposal]:
    """Each source's list without the site's own name (the site alone where it names no one else) and
    without the page's labelled editors; a list of people and organisations also proposes its people
    alone; lists of people that different sources give apart ("A" in the JSON-LD, "B" in the byline)
    propose their union."""
    proposals: list[_Proposal] = []
    site_names = _site_names_given(candidate_lists, site_names)
    for source, candidates in zip(SOURCE_FEATURES, candidate_lists, strict=False):
        named = [
            candidate
            for candidate in candidates
            if not is_junk_byline(candidate.name) and not _key([candidate]) & editors
        ]
        real = [candidate for candidate in named if not is_site_name(candidate.name, site_names)]
        if not named:
            continue
        proposals.append((source, real or named, bool(real), None))
        people = [candidate for candidate in real if _kind(candidate) == "person"]
        if people and len(people) < len(real):
            proposals.append((source, people, True, "people_of_mixed"))
    people_lists = [
        chosen
        for _, chosen, real, extra in proposals
        if real and extra is None and all(_kind(candidate) == "person" for candidate in chosen)
    ]
    union: list[AuthorCandidate] = []
    for chosen in people_lists:
        union.extend(candidate for candidate in chosen if _key([candidate]) - _key(union))
    distinct = {_key(chosen) for chosen in people_lists}
    if len(distinct) > 1 and _key(union) not in distinct:
        proposals.append(("union", union, True, "union"))
    return proposals


def _relations(
    key: frozenset[str], keys: list[frozenset[str]], first_real: frozenset[str] | None
) -> dict[str, float]:
    """How one list stands among the others: the cascade's pick, sharing names, holding or held."""
    relations = {
        "first_real": float(key == first_real),  # what "the first source naming someone" would take
        "overlaps": float(sum(1 for other in keys if other != key and other & key)),
        "holds_other": float(any(other < key for other in keys)),
        "held_by_other": float(any(key < other for other in keys)),
    }
    return {name: value for name, value in relations.items() if value}


def _key(candidates: Iterable[AuthorCandidate]) -> frozenset[str]:
    return frozenset(normalize_name(candidate.name) for candidate in candidates) - {""}


def _list_shape(chosen: list[AuthorCandidate], *, real_names: bool) -> dict[str, float]:
    kinds = [_kind(candidate) for candidate in chosen]
    shape = {
        "site_only": float(not real_names),
        "all_people": float(all(kind == "person" for kind in kinds)),
        "some_organisation": float(any(kind == "organization" for kind in kinds)),
        "several": float(len(chosen) > 1),
        "many": float(len(chosen) > 4),
        "single_word": float(any(len(candidate.name.split()) == 1 for candidate in chosen)),
    }
    return {name: value for name, value in shape.items() if value}


def choose_authors(
    candidate_lists: list[list[AuthorCandidate]],
    site_names: list[str],
    weights: Weights | None = None,
    *,
    editors: frozenset[str] = frozenset(),
) -> list[FoundCredit]:
    """The best-weighed of every source's author list (`author_list_candidates`), by the shipped weights
    unless others are given; with no weights, the first source naming someone other than the site."""
    weights = weights_for("authors") if weights is None else weights
    candidates = author_list_candidates(candidate_lists, site_names, editors)
    if not weights:
        first = next((c for c in candidates if "first_real" in c.features), None)
        first = first or next((c for c in candidates if c.value), None)
        return author_credits(first.value) if first else []
    chosen = choose(candidates, weights)
    return author_credits(chosen.value) if chosen else []


def author_credits(candidates: list[AuthorCandidate]) -> list[FoundCredit]:
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
