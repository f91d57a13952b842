"""Where on a page a picture is not the article's own: a teaser for another article, the page's furniture,
a quote's attribution; and a credit line that is only the site's own notice.

`archive.extract.html_photos` reads photos; these are the places it leaves out, so that a credit printed
for another article's picture, a footer's "©" or a pull quote's author is never credited as a photo of
this one. The markup basics both read by (`Element`, `has_class`) live here, below the photo reader.
"""

from __future__ import annotations

import re
from typing import Any, TypeAlias

# lxml ships no type information (and the project's mypy settings do not exempt it): elements are Any.
Element: TypeAlias = Any


def has_class(element: Element, pattern: re.Pattern[str]) -> bool:
    """The element's class attribute matches `pattern`."""
    value = element.get("class")
    return isinstance(value, str) and bool(pattern.search(value))


# Blocks that show other articles: "more on this", recirculation lists, recommendations.
_TEASER_CLASS = re.compile(r"(?<![a-z])(?:teaser|related|recirculation|recommend)", re.IGNORECASE)
_MAX_TEASER_TEXT = 600
_QUOTE_CLASS = re.compile(r"quote", re.IGNORECASE)
_HOST = re.compile(r"[a-z0-9-]\.(?:[a-z]{2}|com|net|org|info)\b", re.IGNORECASE)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|tiff?|heic)(?:[?#]|$)", re.IGNORECASE)


def _links_elsewhere(link: Element) -> bool:
    """A link to another page (not to the picture's own file, an anchor or a script)."""
    href = (link.get("href") or "").strip()
    return bool(href) and not href.startswith(("#", "javascript:")) and not _IMAGE_FILE.search(href)


def _is_teaser(block: Element) -> bool:
    """A small block standing for another article: a list item, or a block whose class says teaser or
    related, that holds a picture linking to another page and little text (not an article body that a
    site happens to call a teaser)."""
    if block.tag != "li" and not has_class(block, _TEASER_CLASS):
        return False
    return len(" ".join(block.text_content().split())) <= _MAX_TEASER_TEXT and any(
        _links_elsewhere(link) and next(link.iter("img", "picture"), None) is not None
        for link in block.iter("a")
    )


def shows_another_article(unit: Element) -> bool:
    """A picture that stands for another article, so that its credit is that article's picture's: in the
    page's navigation or footer, or in a teaser (`_is_teaser`); or no picture's credit at all: a quote's
    attribution (inside a blockquote or a block whose class says quote)."""
    return any(
        ancestor.tag in ("nav", "footer", "blockquote")
        or has_class(ancestor, _QUOTE_CLASS)
        or _is_teaser(ancestor)
        for ancestor in (unit, *unit.iterancestors())
    )


def in_teaser_block(element: Element, levels: int = 6) -> bool:
    """Inside a block whose class says teaser, related or recommended (at most `levels` up), whatever it
    holds: stricter than `shows_another_article`, for what a page does not print (an image's title)."""
    return any(
        has_class(ancestor, _TEASER_CLASS)
        for depth, ancestor in enumerate(element.iterancestors())
        if depth < levels
    )


def names_a_site(credit: str) -> bool:
    """A credit line holding a web host ("© ARD-aktuell / tagesschau.de"): alone, the site's notice."""
    return bool(_HOST.search(credit))
