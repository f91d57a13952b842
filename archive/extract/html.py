"""Attribution metadata of a news page, read from its raw HTML.

`extract_html(html, url=None)` weighs the page's sources against each other with general rules (nothing
here knows a publisher): schema.org JSON-LD/microdata on the article object first, then Open Graph and the
other <meta> tags, trafilatura's metadata, htmldate for dates, and the markup itself (figures, captions,
bylines). The main text is trafilatura's plain text; the plain-text rules (`archive.extract.text`) then run
over it for contributor lines, in-text photo credits and update/correction notices, whose spans index into
that same text. Every finding names its source field in `rule`.

Hostile input: a page over `max_bytes` is not parsed at all; lxml runs without network access and HTML
parsing resolves no external entities; every library failure becomes a `problems` entry, never an
exception. The time cap per page is the caller's (a process pool).
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, timedelta
from typing import cast
from urllib.parse import urlsplit

import trafilatura

from archive.extract.html_authors import AuthorCandidate, author_sources, choose_authors
from archive.extract.html_editors import editor_keys, page_editors
from archive.extract.html_names import clean_text
from archive.extract.html_photos import photos_in_markup
from archive.extract.html_photos_declared import (
    captions_agree,
    merge_photos,
    photos_in_image_titles,
    photos_in_schema,
    to_found_photo,
)
from archive.extract.html_sources import (
    ARTICLE_TYPES,
    PAGE_TYPES,
    PageSources,
    decode_html,
    kind_name,
    parse_datetime,
    read_sources,
    schema_field,
    text_value,
    trafilatura_field,
)
from archive.extract.html_titles import choose_title
from archive.extract.model import Extraction, Found, FoundCredit, FoundDate, FoundPhoto
from archive.names import normalize_name

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
    "sailthru.date", "dc.date", "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "date",
)  # fmt: skip
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
_CLOCK_SLACK = timedelta(minutes=1)  # two stamps written in one save differ by milliseconds
# How far two times of one page can seem apart when one of them was written without its offset (read as
# UTC): a "modified" time less than this before publication is the page's own, not a draft's.
_OFFSET_SLACK = timedelta(hours=14)
_PHOTO_ROLES = frozenset({"photographer", "photo_credit", "illustrator"})


def extract_html(html: bytes, *, url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Extraction:
    """Everything the page says about itself, each finding with its evidence. Never raises."""
    if len(html) > max_bytes:
        return Extraction(problems=[f"page too large to parse ({len(html)} bytes)"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the libraries' deprecation chatter is not the page's problem
            return _extract(html, url)
    except Exception as exc:  # a last resort: each source already reports its own failures
        return Extraction(problems=[f"page could not be read: {type(exc).__name__}: {exc}"[:300]])


def _extract(html: bytes, url: str | None) -> Extraction:
    sources = read_sources(decode_html(html), url)
    problems = sources.problems
    text, found_in_text, text_credits = _text_findings(sources, problems)
    site_names = site_name_candidates(sources)
    editors = page_editors(sources.tree)
    authors = choose_authors(
        _author_sources(sources, text, text_credits), site_names, editors=editor_keys(editors)
    )
    published = choose_published(sources)
    return Extraction(
        text=text,
        title=choose_title(sources, site_names),
        subtitle=choose_subtitle(sources),
        publisher=choose_publisher(sources),
        language=choose_language(sources),
        published_at=published,
        modified_at=choose_modified(sources, published),
        credits=authors + _other_text_credits(text_credits + editors, authors),
        photos=choose_photos(sources, _photos_beside_bylines(found_in_text, authors)),
        notices=list(found_in_text.notices) if found_in_text else [],
        problems=problems,
    )


def _text_findings(
    sources: PageSources, problems: list[str]
) -> tuple[str | None, Extraction | None, list[FoundCredit]]:
    """The main text, what the plain-text rules found in it, and those credits whose spans read right."""
    text = main_text(sources, problems)
    found_in_text = run_text_rules(text, problems)
    return text, found_in_text, _valid_credits(found_in_text.credits if found_in_text else [], text)


def _author_sources(
    sources: PageSources, text: str | None, text_credits: list[FoundCredit]
) -> list[list[AuthorCandidate]]:
    return author_sources(sources, text, [credit for credit in text_credits if credit.role == "author"])


def author_candidate_lists(sources: PageSources) -> list[list[AuthorCandidate]]:
    """Every source's author list as `_extract` weighs them (for fitting and scoring the weights)."""
    text, _, text_credits = _text_findings(sources, [])
    return _author_sources(sources, text, text_credits)


# --- the main text and the plain-text rules -----------------------------------------------------------------


def main_text(sources: PageSources, problems: list[str]) -> str | None:
    """The page's main text as trafilatura extracts it: the text the API serves and spans index into."""
    try:
        text = trafilatura.extract(
            sources.html,
            url=sources.url,
            output_format="txt",
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            deduplicate=False,
        )
    except Exception as exc:
        problems.append(f"main text could not be extracted: {type(exc).__name__}: {exc}"[:300])
        return None
    if not text:
        problems.append("no main text found")
        return None
    return str(text)


def run_text_rules(text: str | None, problems: list[str]) -> Extraction | None:
    """The plain-text rules over the main text, when that module is installed."""
    if not text:
        return None
    try:
        module = importlib.import_module("archive.extract.text")
    except ImportError:
        return None
    except Exception as exc:  # a broken module must cost its findings, not the page
        problems.append(f"text rules could not be loaded: {type(exc).__name__}: {exc}"[:300])
        return None
    try:
        extract_text = cast(Callable[[str], Extraction], module.extract_text)
        return extract_text(text)
    except Exception as exc:
        problems.append(f"text rules failed: {type(exc).__name__}: {exc}"[:300])
        return None


def _valid_credits(credits: list[FoundCredit], text: str | None) -> list[FoundCredit]:
    """Credits whose span, if any, reads exactly their name in `text` (a wrong span is dropped, not kept)."""
    return [credit if _span_reads_name(credit, text) else replace(credit, span=None) for credit in credits]


def _span_reads_name(credit: FoundCredit, text: str | None) -> bool:
    if credit.span is None:
        return True
    return text is not None and text[credit.span.start : credit.span.end] == credit.name


def _photos_beside_bylines(found_in_text: Extraction | None, authors: list[FoundCredit]) -> list[FoundPhoto]:
    """The text's photo credit lines, but not a line already read as the byline ("Jane Doe/John Roe")."""
    if found_in_text is None:
        return []
    byline_spans = [author.span for author in authors if author.span is not None]
    return [
        photo
        for photo in found_in_text.photos
        if photo.span is None
        or not any(span.start < photo.span.end and photo.span.start < span.end for span in byline_spans)
    ]


def _other_text_credits(text_credits: list[FoundCredit], authors: list[FoundCredit]) -> list[FoundCredit]:
    """Contributors, editors, translators the text (or an editor's label) names, once each and not again
    if already an author."""
    seen = {normalize_name(author.name) for author in authors}
    others: list[FoundCredit] = []
    for credit in text_credits:
        key = normalize_name(credit.name)
        if credit.role == "author" or credit.role in _PHOTO_ROLES or key in seen:
            continue
        seen.add(key)
        others.append(credit)
    return others


# --- descriptive fields -----------------------------------------------------------------------------------


def _host(sources: PageSources) -> str | None:
    url = sources.url or sources.opengraph.get("og:url")
    if not url and sources.tree is not None:
        url = next(iter(sources.tree.xpath("//link[@rel='canonical']/@href")), None)
    if not isinstance(url, str):
        return None
    host = urlsplit(url).hostname or ""
    parts = [part for part in host.split(".") if part not in ("www", "m", "amp")]
    return parts[0] if parts else None


def site_name_candidates(sources: PageSources) -> list[str]:
    """Every name the site goes by (og:site_name, the publisher, trafilatura's guess, the host)."""
    names: list[str] = []
    og_site = sources.opengraph.get("og:site_name")
    if og_site:
        names.append(og_site)
    publisher = choose_publisher(sources)
    if publisher:
        names.append(publisher.value)
    for key in ("application-name", "apple-mobile-web-app-title", "twitter:site"):
        found = sources.first_meta(key)
        if found:
            names.append(found[1].lstrip("@"))
    sitename = getattr(sources.trafilatura_metadata, "sitename", None)
    if isinstance(sitename, str):
        names.append(sitename)
    host = _host(sources)
    if host:
        names.append(host)
    return [clean_text(name) for name in names if clean_text(name)]


def _meta_found(sources: PageSources, *keys: str) -> Found | None:
    found = sources.first_meta(*keys)
    return Found(found[1], f"meta.{found[0]}") if found else None


def choose_subtitle(sources: PageSources) -> Found | None:
    description = schema_field(sources, "description")
    if description:
        return Found(*description)
    return _meta_found(sources, "og:description", "description", "twitter:description") or _found(
        trafilatura_field(sources, "description")
    )


def _found(value_and_rule: tuple[str, str] | None) -> Found | None:
    return Found(*value_and_rule) if value_and_rule else None


def choose_publisher(sources: PageSources) -> Found | None:
    for schema in (sources.jsonld, sources.microdata):
        for node in schema.of_types(ARTICLE_TYPES | PAGE_TYPES):
            publisher = schema.resolve(node.get("publisher"))
            name = text_value(publisher.get("name")) if isinstance(publisher, dict) else text_value(publisher)
            if name:
                return Found(name, f"{schema.syntax}.{kind_name(node)}.publisher")
    og_site = text_value(sources.opengraph.get("og:site_name"))
    if og_site:
        return Found(og_site, "meta.og:site_name")
    return _found(trafilatura_field(sources, "sitename"))


def choose_language(sources: PageSources) -> Found | None:
    in_language = schema_field(sources, "inLanguage", ARTICLE_TYPES | PAGE_TYPES)
    if in_language:
        return Found(*in_language)
    if sources.tree is not None:
        lang = text_value(sources.tree.get("lang") or sources.tree.get("xml:lang"))
        if lang:
            return Found(lang.replace("_", "-"), "html.lang")
    locale = sources.first_meta("og:locale", "content-language", "language")
    if locale:
        return Found(locale[1].replace("_", "-"), f"meta.{locale[0]}")
    return _found(trafilatura_field(sources, "language"))


# --- dates ------------------------------------------------------------------------------------------------


def _date_candidates(sources: PageSources, field: str, meta_keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value, rule) in order of trust: the article object, the article <meta>, then web-page objects."""
    candidates: list[tuple[str, str]] = []
    for types in (ARTICLE_TYPES, PAGE_TYPES):
        for schema in (sources.jsonld, sources.microdata):
            for node in schema.of_types(types):
                value = text_value(node.get(field))
                if value:
                    candidates.append((value, f"{schema.syntax}.{kind_name(node)}.{field}"))
        if types is ARTICLE_TYPES:
            candidates.extend(
                (value, f"meta.{key}") for key in meta_keys for value in sources.meta.get(key, [])
            )
    return candidates


def _first_date(candidates: list[tuple[str, str]]) -> FoundDate | None:
    """The first candidate that parses; a date-only value gives way to a later one with a time that day,
    and a time without an offset to a later one stating the same wall-clock time with its offset."""
    parsed = [(result, rule, value) for value, rule in candidates if (result := parse_datetime(value))]
    if not parsed:
        return None
    (first, has_time), rule, raw = parsed[0]
    if not has_time:
        for (other, other_has_time), other_rule, _ in parsed[1:]:
            if other_has_time and other.date() == first.date():
                return FoundDate(other, other_rule)
    elif not _STATES_OFFSET.search(raw):
        for (other, _), other_rule, other_raw in parsed[1:]:
            wall_clock = other.replace(tzinfo=UTC)  # its local time read as the first's was
            if _STATES_OFFSET.search(other_raw) and abs(wall_clock - first) <= _CLOCK_SLACK:
                return FoundDate(other, other_rule)
    return FoundDate(first, rule)


def _in_the_pages_offset(
    found: FoundDate | None, candidates: list[tuple[str, str]], published: FoundDate | None
) -> FoundDate | None:
    """A time written without its offset, read in the offset the page gives its publication time (a page
    writes its times in one zone), rather than as UTC."""
    if found is None or published is None or _states_offset(found, candidates):
        return found
    zone = published.value.tzinfo
    if zone is None or published.value.utcoffset() == timedelta(0):
        return found
    return FoundDate(found.value.replace(tzinfo=zone), found.rule, found.span, found.field)


def _states_offset(found: FoundDate, candidates: list[tuple[str, str]]) -> bool:
    """Whether the value chosen was written with its offset or zone (its rule may repeat: the first
    candidate of that rule that reads as the same moment is the one)."""
    for value, rule in candidates:
        parsed = parse_datetime(value) if rule == found.rule else None
        if parsed is not None and parsed[0] == found.value:
            return bool(_STATES_OFFSET.search(value))
    return True


# "Z", "+02:00", "+0200", "-05", "GMT", "UTC", "CEST": a written time that says its offset from UTC.
_STATES_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?|\b(?:GMT|UTC|UT|[A-Z]{2,4}[DS]?T))\s*$")


def choose_published(sources: PageSources) -> FoundDate | None:
    candidates = _date_candidates(sources, "datePublished", _PUBLISHED_META)
    if sources.htmldate_original:
        candidates.append((sources.htmldate_original, "htmldate.original"))
    trafilatura_date = trafilatura_field(sources, "date")
    if trafilatura_date:
        candidates.append(trafilatura_date)
    return _first_date(candidates)


def choose_modified(sources: PageSources, published: FoundDate | None) -> FoundDate | None:
    candidates = _date_candidates(sources, "dateModified", _MODIFIED_META)
    modified = _in_the_pages_offset(_first_date(candidates), candidates, published)
    if modified is None and sources.htmldate_updated:
        modified = _first_date([(sources.htmldate_updated, "htmldate.updated")])
        if modified and published and modified.value <= published.value:
            return None  # htmldate's latest date is the publication date: no evidence of a change
    if modified and published and modified.value < published.value - _OFFSET_SLACK:
        return None  # modified well before it was published (a draft's date): not a change to the article
    return modified


# --- photos -----------------------------------------------------------------------------------------------


def choose_photos(sources: PageSources, text_photos: list[FoundPhoto]) -> list[FoundPhoto]:
    """Photos printed in the markup, then schema.org images it did not print, then the text's credit lines."""
    printed: list[FoundPhoto] = []
    if sources.tree is not None:
        try:
            printed = [photo for r in photos_in_markup(sources.tree) if (photo := to_found_photo(r))]
        except Exception as exc:  # a pathological tree must not cost the rest of the page
            sources.problems.append(f"photos could not be read: {type(exc).__name__}: {exc}"[:300])
    declared = [
        photo
        for schema in (sources.jsonld, sources.microdata)
        for reading in photos_in_schema(schema)
        if (photo := to_found_photo(reading))
    ]
    if sources.tree is not None:
        declared += [photo for r in photos_in_image_titles(sources.tree) if (photo := to_found_photo(r))]
    photos = merge_photos(printed, declared)
    for photo in text_photos:
        if not any(_same_credit(photo, kept) for kept in photos):
            photos.append(photo)
    return photos


def _same_credit(photo: FoundPhoto, other: FoundPhoto) -> bool:
    if normalize_name(photo.credit or "") != normalize_name(other.credit or ""):
        return False
    return not photo.caption or not other.caption or captions_agree(photo.caption, other.caption)
