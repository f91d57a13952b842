"""The page's headline, chosen among its sources and cleaned of the site's name.

`choose_title(sources, site_names)` takes the article's schema.org headline when another title source
resembles it (else it is a deck or a kicker), then the social title, the web page's headline or name,
trafilatura's title, the <title> and the first <h1>. `strip_site_name` removes the site's name that titles
append or prepend ("Headline | Site", "Site - Headline").
"""

from __future__ import annotations

import re

from archive.extract.html_names import is_site_name
from archive.extract.html_photos import visible_text
from archive.extract.html_sources import PAGE_TYPES, PageSources, schema_field, trafilatura_field
from archive.extract.model import Found
from archive.names import normalize_name

# " | Site", " - Site", " — Site", " :: Site", " · Site": how titles append the site's name.
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|—|::|·|•)\s+")
_ELLIPSIS = ("…", "...")
_MIN_PREFIX_WORDS = 4


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
    headline = schema_field(sources, "headline")
    if headline and not _confirmed(headline[0], sources, site_names):
        headline = None
    if headline:
        if social and _is_word_prefix(strip_site_name(social[0], site_names), headline[0]):
            return Found(strip_site_name(social[0], site_names), social[1])
        return Found(strip_site_name(headline[0], site_names), headline[1])
    fallbacks = [
        social,
        schema_field(sources, "headline", PAGE_TYPES),
        schema_field(sources, "name", PAGE_TYPES),
        trafilatura_field(sources, "title"),
        _first_element_text(sources, "title", "html.title"),
        _first_element_text(sources, "h1", "html.h1"),
    ]
    for fallback in fallbacks:
        if fallback:
            return Found(strip_site_name(fallback[0], site_names), fallback[1])
    return None


def _first_element_text(sources: PageSources, tag: str, rule: str) -> tuple[str, str] | None:
    if sources.tree is None:
        return None
    for element in sources.tree.iter(tag):
        text = visible_text(element)
        if text:
            return text, rule
    return None
