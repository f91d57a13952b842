"""A byline with no label and no class to say so: names printed alone right before the article's date,
under its headline (`<span>Jane Doe |</span><span class="date">05.04.2025</span>`). One of the author
sources that `archive.extract.html_authors` weighs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice

from archive.extract.html_elsewhere import Element
from archive.extract.html_names import is_junk_byline, name_kind, split_author_names
from archive.extract.html_photos import visible_text

# Names right before the date: looked for in this many elements after the headline, on a line this short.
_DATED_LINE_ELEMENTS = 150
_MAX_DATED_LINE = 80
_MAX_LINE_ELEMENTS = 8
_LINE_SEPARATORS = " \u00a0|·•\u2013-,"
_NOT_DATED_LINE_TAGS = frozenset(
    {"script", "style", "a", "time", "h2", "h3", "h4", "h5", "h6", "title", "button"}
)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")


def dated_line_names(tree: Element | None) -> list[str]:
    """Names printed alone right before the article's date, under its headline, with no label and no
    class to say so: `<span>Jane Doe |</span><span class="date">05.04.2025</span>`."""
    headline = next(tree.iter("h1"), None) if tree is not None else None
    if headline is None:
        return []
    for number, element in enumerate(_after(headline)):
        if number >= _DATED_LINE_ELEMENTS:
            break
        if element.tag in _NOT_DATED_LINE_TAGS or _large(element):
            continue
        text = visible_text(element).strip(_LINE_SEPARATORS)
        if not text or len(text) > _MAX_DATED_LINE or any(character.isdigit() for character in text):
            continue
        names = split_author_names(text)
        if not names or not all(
            name_kind(name) == "person" and len(name.split()) <= 3 and not is_junk_byline(name)
            for name in names
        ):
            continue
        following = element.getnext()
        if (
            following is not None
            and isinstance(following.tag, str)
            and not _large(following)
            and _is_date_element(following)
        ):
            return names
    return []


def _after(element: Element) -> Iterable[Element]:
    """The elements after `element` in document order, not those inside it."""
    node: Element | None = element
    while node is not None:
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield sibling
                yield from (inner for inner in sibling.iterdescendants() if isinstance(inner.tag, str))
        node = node.getparent()


def _large(element: Element) -> bool:
    """More than a line's few elements or characters: a block no byline or date is (and whose text is not
    worth reading)."""
    if next(islice(element.iterdescendants(), _MAX_LINE_ELEMENTS, None), None) is not None:
        return True
    inner = [element, *element.iterdescendants()]
    return sum(len(node.text or "") + len(node.tail or "") for node in inner) > 4 * _MAX_DATED_LINE


def _is_date_element(element: Element) -> bool:
    """A `<time>`, or an element holding one or printing a numeric date ("05.04.2025", "2025-04-05")."""
    if element.tag == "time" or next(element.iter("time"), None) is not None:
        return True
    return bool(_NUMERIC_DATE.search(visible_text(element)[:_MAX_DATED_LINE]))
