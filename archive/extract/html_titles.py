"""The page's headline, chosen among its sources and cleaned of the site's name.

`title_candidates(sources, site_names)` gathers every title the page gives (the schema.org headline, the
social titles, the web page's headline or name, trafilatura's title, the <title>, the first <h1>s), each
cleaned of the site's name that titles append or prepend (`strip_site_name`: "Headline | Site", "Site -
Headline"), one candidate per distinct title with the sources that agree on it and how it relates to the
others; `choose_title` takes the best-weighed (`archive.extract.weighing`).
"""

from __future__ import annotations

import re
import unicodedata

from archive.extract.html_names import is_site_name
from archive.extract.html_photos import visible_text
from archive.extract.html_sources import PAGE_TYPES, PageSources, schema_field, trafilatura_field
from archive.extract.model import Found
from archive.extract.weighing import Candidate, Weights, choose, weights_for
from archive.names import normalize_name

# " | Site", " - Site", " — Site", " :: Site", " · Site": how titles append the site's name (a full-width bar
# and the Hangul letter ㅣ serve as bars too).
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|—|::|·|•|\uff5c|\u3163)\s+")
# The same without the spaces, where the site's name follows at once ("Headline-Politics|Site"): a bar or a
# dash, then at most one short section name and another bar.
_TIGHT_BAR = "|\uff5c\u3163·•"
_TIGHT_SUFFIX = re.compile(
    rf"(?:[-{_TIGHT_BAR}][^\s{_TIGHT_BAR}-]{{1,12}})?[-{_TIGHT_BAR}](?P<site>[^{_TIGHT_BAR}]+)$"
)
_TIGHT_REACH = 100
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
    # Only the title's end is searched: a site's name and a section's are short, and a hostile title of
    # thousands of dashes must not cost a search from each of them.
    offset = max(0, len(title) - _TIGHT_REACH)
    tight = _TIGHT_SUFFIX.search(title, offset)
    if tight and tight.start() > 0 and is_site_name(tight["site"], site_names):
        title = title[: tight.start()].rstrip()
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


def choose_title(sources: PageSources, site_names: list[str], weights: Weights | None = None) -> Found | None:
    """The headline as printed: the best-weighed of every source's title (`title_candidates`)."""
    chosen = choose(
        title_candidates(sources, site_names), weights_for("title") if weights is None else weights
    )
    return None if chosen is None else Found(chosen.value, chosen.rule)


# Where a title may come from, in the order that breaks ties, with the feature naming each source.
def _proposals(sources: PageSources) -> list[tuple[str, str, str]]:
    """(text, rule, source feature) for every title the page gives, before the site's name is removed."""
    found: list[tuple[str, str, str]] = []
    for tag, feature in (("og:title", "src:og"), ("twitter:title", "src:twitter")):
        meta = sources.first_meta(tag)
        if meta:
            found.append((meta[1], f"meta.{meta[0]}", feature))
    for value, feature in (
        (schema_field(sources, "headline"), "src:schema_headline"),
        (schema_field(sources, "headline", PAGE_TYPES), "src:schema_page"),
        (schema_field(sources, "name", PAGE_TYPES), "src:schema_page"),
        (trafilatura_field(sources, "title"), "src:trafilatura"),
        (_first_element_text(sources, "title", "html.title"), "src:title_tag"),
    ):
        if value:
            found.append((value[0], value[1], feature))
    for index, (text, in_article) in enumerate(_headings(sources)):
        found.append((text, "html.h1", "src:h1_first" if index == 0 else "src:h1_later"))
        if in_article:
            found.append((text, "html.h1", "h1_in_article"))
    found.sort(key=lambda proposal: _PRIORITY.get(proposal[2], len(_PRIORITY)))
    return found


_PRIORITY = {
    name: rank
    for rank, name in enumerate(
        ("src:schema_headline", "src:og", "src:twitter", "src:h1_first", "src:schema_page", "src:trafilatura")
    )
}
_SOURCE_WEIGHT = 1 / 4


def title_candidates(sources: PageSources, site_names: list[str]) -> list[Candidate[str]]:
    """One candidate per distinct title (the site's name removed, compared after Unicode and quote
    folding), with the sources that give it and how it relates to the others."""
    by_key: dict[str, Candidate[str]] = {}
    carried: dict[str, list[bool]] = {}  # per candidate: whether each source gave it with the site's name
    for text, rule, feature in _proposals(sources):
        value = strip_site_name(" ".join(text.split()), site_names)
        key = title_key(value)
        if not key:
            continue
        candidate = by_key.setdefault(key, Candidate(value, rule, {}))
        if feature.startswith("src:") and feature not in candidate.features:
            candidate.features["agreement"] = candidate.features.get("agreement", 0.0) + _SOURCE_WEIGHT
        candidate.features[feature] = 1.0
        if feature.startswith("src:"):
            carried.setdefault(key, []).append(value != " ".join(text.split()))
    candidates = list(by_key.values())
    for key, candidate in by_key.items():
        candidate.features.update(_shape(candidate, candidates))
        candidate.features.update(_pairs(candidate))
        if any(carried.get(key, [False])):
            candidate.features["had_site_name"] = 1.0  # given by a source with the site's name around it
    return candidates


def _shape(candidate: Candidate[str], candidates: list[Candidate[str]]) -> dict[str, float]:
    """How a title looks and stands among the others: held inside another (a headline under a kicker),
    holding another, a word prefix of another (cut short), its length, an ellipsis, a separator left."""
    key = title_key(candidate.value)
    others = [title_key(other.value) for other in candidates if other is not candidate]
    words = len(key.split())
    shape = {
        "held_by_other": float(any(key in other for other in others)),
        "holds_other": float(any(other in key and len(other.split()) >= 3 for other in others)),
        "cut_short": float(any(_is_word_prefix(key, other) for other in others)),
        "short": float(words < 4),
        "long": float(words > 25),
        "ellipsis": float(key.endswith(_ELLIPSIS) or key.startswith(_ELLIPSIS)),
        "separator": float(bool(_TITLE_SEPARATOR.search(key)) or " | " in key),
        "only_title_tag": float(set(_sources_of(candidate)) == {"src:title_tag"}),
        # resembling no other title: a deck or a kicker more likely than the headline
        "alone": float(bool(others) and not any(_titles_agree(key, other) for other in others)),
    }
    return {name: value for name, value in shape.items() if value}


# The sources whose agreement in pairs says more than each alone: a headline the schema.org data and the
# <h1> share is the printed one more often than one the social title and trafilatura share.
_PAIRED_SOURCES = (
    "src:schema_headline", "src:og", "src:h1_first", "src:trafilatura", "src:twitter", "src:title_tag"
)  # fmt: skip


def _pairs(candidate: Candidate[str]) -> dict[str, float]:
    given = [source for source in _PAIRED_SOURCES if source in candidate.features]
    return {f"pair:{a[4:]}+{b[4:]}": 1.0 for index, a in enumerate(given) for b in given[index + 1 :]}


def _sources_of(candidate: Candidate[str]) -> list[str]:
    return [name for name in candidate.features if name.startswith("src:")]


def title_key(title: str) -> str:
    """A title compared as a reader reads it: Unicode-folded, quote marks straight, invisible characters
    and soft hyphens gone, white space single."""
    folded = unicodedata.normalize("NFKC", title).translate(_FOLD)
    return " ".join(folded.split())


_FOLD = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')
    | dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", "")
)


def _headings(sources: PageSources) -> list[tuple[str, bool]]:
    """The first three visible <h1> texts, each with whether it sits in an <article> or <main>."""
    if sources.tree is None:
        return []
    found: list[tuple[str, bool]] = []
    for element in sources.tree.iter("h1"):
        text = " ".join(visible_text(element).split())
        if text:
            in_article = any(parent.tag in ("article", "main") for parent in element.iterancestors())
            found.append((text, in_article))
        if len(found) == 3:
            break
    return found


def _first_element_text(sources: PageSources, tag: str, rule: str) -> tuple[str, str] | None:
    if sources.tree is None:
        return None
    for element in sources.tree.iter(tag):
        text = visible_text(element)
        if text:
            return text, rule
    return None
