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
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import trafilatura

from archive.extract.html_authors import author_sources, choose_authors
from archive.extract.html_names import clean_text, is_site_name
from archive.extract.html_photos import (
    captions_agree,
    merge_photos,
    photos_in_markup,
    photos_in_schema,
    to_found_photo,
    visible_text,
)
from archive.extract.html_sources import (
    ARTICLE_TYPES,
    PAGE_TYPES,
    Node,
    PageSources,
    decode_html,
    node_types,
    parse_datetime,
    read_sources,
)
from archive.extract.model import Extraction, Found, FoundCredit, FoundDate, FoundPhoto
from archive.names import normalize_name

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# " | Site", " - Site", " — Site", " :: Site", " · Site": how titles append the site's name.
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|—|::|·|•)\s+")
_ELLIPSIS = ("…", "...")
_MIN_PREFIX_WORDS = 4
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
    "sailthru.date", "dc.date", "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "date",
)  # fmt: skip
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
_CLOCK_SLACK = timedelta(minutes=1)  # two stamps written in one save differ by milliseconds
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
    text = main_text(sources, problems)
    site_names = site_name_candidates(sources)
    found_in_text = run_text_rules(text, problems)
    text_credits = _valid_credits(found_in_text.credits if found_in_text else [], text)
    authors = choose_authors(
        author_sources(sources, text, [credit for credit in text_credits if credit.role == "author"]),
        site_names,
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
        credits=authors + _other_text_credits(text_credits, authors),
        photos=choose_photos(sources, _photos_beside_bylines(found_in_text, authors)),
        notices=list(found_in_text.notices) if found_in_text else [],
        problems=problems,
    )


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
    """Contributors, editors, translators the text names, once each and not again if already an author."""
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


def _kind_name(node: Node) -> str:
    return next(iter(node_types(node)), "Thing")


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    if isinstance(value, str) and clean_text(value):
        return clean_text(value)
    return None


def _schema_field(
    sources: PageSources, field: str, types: frozenset[str] = ARTICLE_TYPES
) -> tuple[str, str] | None:
    """The first article object's `field` (JSON-LD before microdata), with its rule id."""
    for schema in (sources.jsonld, sources.microdata):
        for node in schema.of_types(types):
            value = _string(node.get(field))
            if value:
                return value, f"{schema.syntax}.{_kind_name(node)}.{field}"
    return None


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


def _is_site_segment(segment: str, site_names: list[str]) -> bool:
    """A title segment naming the site: "AP News", "Metro News" (for Metro), "TechCrunch"."""
    if is_site_name(segment, site_names):
        return True
    padded = f" {normalize_name(segment)} "
    return any(
        normalize_name(site) and f" {normalize_name(site)} " in padded for site in site_names if len(site) > 2
    )


def strip_site_name(title: str, site_names: list[str]) -> str:
    """`"Headline | Site"` and `"Site - Headline"` -> `"Headline"`; other titles unchanged."""
    changed = True
    while changed:
        changed = False
        separators = list(_TITLE_SEPARATOR.finditer(title))
        if not separators:
            break
        last, first = separators[-1], separators[0]
        if _is_site_segment(title[last.end() :], site_names):
            title, changed = title[: last.start()].strip(), True
        elif _is_site_segment(title[: first.start()], site_names):
            title, changed = title[first.end() :].strip(), True
    return title


def _is_word_prefix(short: str, long: str) -> bool:
    short_words, long_words = normalize_name(short).split(), normalize_name(long).split()
    return (
        len(short_words) >= _MIN_PREFIX_WORDS
        and len(short_words) < len(long_words)
        and long_words[: len(short_words)] == short_words
        and not short.rstrip().endswith(_ELLIPSIS)
    )


def _titles_agree(first: str, second: str) -> bool:
    """Most words in common (or one title inside the other): two versions of one headline."""
    a, b = normalize_name(first), normalize_name(second)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    words_a, words_b = set(a.split()), set(b.split())
    return len(words_a & words_b) / len(words_a | words_b) >= 0.5


def _confirmed(headline: str, sources: PageSources, site_names: list[str]) -> bool:
    """A schema.org headline that no other title source resembles is a deck or a kicker, not the headline."""
    social = sources.first_meta("og:title", "twitter:title")
    others = [social[1]] if social else []
    for tag in ("title", "h1"):
        element_text = _first_element_text(sources, tag, tag)
        if element_text:
            others.append(element_text[0])
    return not others or any(_titles_agree(headline, strip_site_name(other, site_names)) for other in others)


def choose_title(sources: PageSources, site_names: list[str]) -> Found | None:
    """The article's headline (schema.org), else the social title, else the page's title, cleaned of the site.

    When the social title is the headline cut short at a word boundary ("... how to check" for "... how to
    check if you have ..."), the two sources agree only on the shorter one, which is kept.
    """
    social_meta = sources.first_meta("og:title", "twitter:title")
    social = (social_meta[1], f"meta.{social_meta[0]}") if social_meta else None
    headline = _schema_field(sources, "headline")
    if headline and not _confirmed(headline[0], sources, site_names):
        headline = None
    if headline:
        if social and _is_word_prefix(strip_site_name(social[0], site_names), headline[0]):
            return Found(strip_site_name(social[0], site_names), social[1])
        return Found(strip_site_name(headline[0], site_names), headline[1])
    fallbacks = [
        social,
        _schema_field(sources, "headline", PAGE_TYPES),
        _schema_field(sources, "name", PAGE_TYPES),
        _trafilatura_field(sources, "title"),
        _first_element_text(sources, "title", "html.title"),
        _first_element_text(sources, "h1", "html.h1"),
    ]
    for fallback in fallbacks:
        if fallback:
            return Found(strip_site_name(fallback[0], site_names), fallback[1])
    return None


def _trafilatura_field(sources: PageSources, field: str) -> tuple[str, str] | None:
    value = _string(getattr(sources.trafilatura_metadata, field, None))
    return (value, f"trafilatura.{field}") if value else None


def _first_element_text(sources: PageSources, tag: str, rule: str) -> tuple[str, str] | None:
    if sources.tree is None:
        return None
    for element in sources.tree.iter(tag):
        text = visible_text(element)
        if text:
            return text, rule
    return None


def _meta_found(sources: PageSources, *keys: str) -> Found | None:
    found = sources.first_meta(*keys)
    return Found(found[1], f"meta.{found[0]}") if found else None


def choose_subtitle(sources: PageSources) -> Found | None:
    description = _schema_field(sources, "description")
    if description:
        return Found(*description)
    return _meta_found(sources, "og:description", "description", "twitter:description") or _found(
        _trafilatura_field(sources, "description")
    )


def _found(value_and_rule: tuple[str, str] | None) -> Found | None:
    return Found(*value_and_rule) if value_and_rule else None


def choose_publisher(sources: PageSources) -> Found | None:
    for schema in (sources.jsonld, sources.microdata):
        for node in schema.of_types(ARTICLE_TYPES | PAGE_TYPES):
            publisher = schema.resolve(node.get("publisher"))
            name = _string(publisher.get("name")) if isinstance(publisher, dict) else _string(publisher)
            if name:
                return Found(name, f"{schema.syntax}.{_kind_name(node)}.publisher")
    og_site = _string(sources.opengraph.get("og:site_name"))
    if og_site:
        return Found(og_site, "meta.og:site_name")
    return _found(_trafilatura_field(sources, "sitename"))


def choose_language(sources: PageSources) -> Found | None:
    in_language = _schema_field(sources, "inLanguage", ARTICLE_TYPES | PAGE_TYPES)
    if in_language:
        return Found(*in_language)
    if sources.tree is not None:
        lang = _string(sources.tree.get("lang") or sources.tree.get("xml:lang"))
        if lang:
            return Found(lang.replace("_", "-"), "html.lang")
    locale = sources.first_meta("og:locale", "content-language", "language")
    if locale:
        return Found(locale[1].replace("_", "-"), f"meta.{locale[0]}")
    return _found(_trafilatura_field(sources, "language"))


# --- dates ------------------------------------------------------------------------------------------------


def _date_candidates(sources: PageSources, field: str, meta_keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value, rule) in order of trust: the article object, the article <meta>, then web-page objects."""
    candidates: list[tuple[str, str]] = []
    for types in (ARTICLE_TYPES, PAGE_TYPES):
        for schema in (sources.jsonld, sources.microdata):
            for node in schema.of_types(types):
                value = _string(node.get(field))
                if value:
                    candidates.append((value, f"{schema.syntax}.{_kind_name(node)}.{field}"))
        if types is ARTICLE_TYPES:
            candidates.extend(
                (value, f"meta.{key}") for key in meta_keys for value in sources.meta.get(key, [])
            )
    return candidates


def _first_date(candidates: list[tuple[str, str]]) -> FoundDate | None:
    """The first candidate that parses; a date-only value gives way to a later one with a time that day."""
    parsed = [(result, rule) for value, rule in candidates if (result := parse_datetime(value))]
    if not parsed:
        return None
    (first, has_time), rule = parsed[0]
    if not has_time:
        for (other, other_has_time), other_rule in parsed[1:]:
            if other_has_time and other.date() == first.date():
                return FoundDate(other, other_rule)
    return FoundDate(first, rule)


def choose_published(sources: PageSources) -> FoundDate | None:
    candidates = _date_candidates(sources, "datePublished", _PUBLISHED_META)
    if sources.htmldate_original:
        candidates.append((sources.htmldate_original, "htmldate.original"))
    trafilatura_date = _trafilatura_field(sources, "date")
    if trafilatura_date:
        candidates.append(trafilatura_date)
    return _first_date(candidates)


def choose_modified(sources: PageSources, published: FoundDate | None) -> FoundDate | None:
    modified = _first_date(_date_candidates(sources, "dateModified", _MODIFIED_META))
    if modified is None and sources.htmldate_updated:
        modified = _first_date([(sources.htmldate_updated, "htmldate.updated")])
        if modified and published and modified.value <= published.value:
            return None  # htmldate's latest date is the publication date: no evidence of a change
    if modified and published and modified.value < published.value - _CLOCK_SLACK:
        return None  # modified before it was published (a draft's date): not a change to the article
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
    photos = merge_photos(printed, declared)
    for photo in text_photos:
        if not any(_same_credit(photo, kept) for kept in photos):
            photos.append(photo)
    return photos


def _same_credit(photo: FoundPhoto, other: FoundPhoto) -> bool:
    if normalize_name(photo.credit or "") != normalize_name(other.credit or ""):
        return False
    return not photo.caption or not other.caption or captions_agree(photo.caption, other.caption)
