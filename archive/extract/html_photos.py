"""Photos, their captions and credit lines, read from the page's markup and its schema.org images.

A photo is found in one of three places: a `<figure>` (its `<figcaption>`), an element whose class says it
is a caption (`caption`, or a `description` inside an image/slide/gallery container), or a lone credit
element next to an image (`class="...credit..."`). Inside, the credit is either an element of its own
(class `credit`, `copyright`, `photographer`, `distributor`; a sibling `author` of a caption) or printed at
the end of the caption: "(AP Photo/Jane Doe)", "(Picture: Getty)", "Photograph: Eva Manez/Reuters",
"— Picture by Yusof Mat Isa", "Credit: AFP/Getty". schema.org ImageObjects add the images whose credit
(`creditText`, `copyrightHolder`, `author`, `creator`) the markup did not print.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from archive.extract.html_credit_text import TRAILING_PUNCTUATION, looks_like_credit, split_printed_credit
from archive.extract.html_elsewhere import Element, has_class, names_a_site, shows_another_article
from archive.extract.html_names import (
    clean_text,
    has_credit_label,
    strip_credit_label,
)

# Elements whose text no reader sees.
_INVISIBLE = frozenset(
    {"script", "style", "noscript", "template", "svg", "button", "select", "iframe", "head"}
)
_BLOCKS = frozenset({"p", "div", "br", "li", "figcaption", "figure", "section", "h1", "h2", "h3", "h4", "td"})
_CAPTION_CLASS = re.compile(r"caption", re.IGNORECASE)
_DESCRIPTION_CLASS = re.compile(r"description|info", re.IGNORECASE)
# "credit" as a word of a class name ("figure-credit", "CaptionCredit"), not inside one ("Accreditation").
_CREDIT_WORD = r"(?:(?<![a-z])credit|Credit|CREDIT)"
# Case-sensitive, so that "credit" and "source" are words of the class ("image-source", "ImageSource"), not
# inside one ("Accreditation", "resources").
_CREDIT_CLASS = re.compile(
    rf"{_CREDIT_WORD}|[Cc]opyright|COPYRIGHT|[Pp]hotographer|[Dd]istributor|(?<![a-z])source|Source|SOURCE"
    r"|[Bb]ild(?:autor|quelle|nachweis|rechte)|[Ff]oto(?:autor|quelle|nachweis|credit)"
)
# Outside a figure only "credit" is trusted: "copyright" there is the page footer's "(c) 2024 ...".
_LONE_CREDIT_CLASS = re.compile(_CREDIT_WORD)
# Inside a figure's caption, a class naming an author names the picture's ("author", "autor", "byline").
_CAPTION_AUTHOR_CLASS = re.compile(r"author|autor|byline", re.IGNORECASE)
_RIGHTS_RESERVED = re.compile(r"rights\s+reserved", re.IGNORECASE)
_SIBLING_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|author|byline|source", re.IGNORECASE)
_IMAGE_CONTAINER_CLASS = re.compile(r"image|photo|picture|media|slide|gallery|figure|carousel", re.IGNORECASE)
_MAX_CAPTION = 2000
_NEAR_SIBLINGS = 6  # a caption's credit is printed beside it: the siblings looked at
_MAX_CREDIT = 200


def visible_text(element: Element) -> str:
    """The element's text as a reader sees it: no script/SVG/button text, blocks separated by a space."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(element, False)]
    while stack:
        node, tail_only = stack.pop()
        if tail_only:
            if node.tail:
                parts.append(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if node is not element:
            stack.append((node, True))  # its tail comes after its content
        if not tag or tag.lower() in _INVISIBLE or node.get("hidden") is not None:
            continue
        if tag.lower() in _BLOCKS:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        stack.extend((child, False) for child in reversed(node))
    return clean_text("".join(parts))


def _descendants(element: Element, accept: Callable[[Element], bool]) -> Iterator[Element]:
    for node in element.iterdescendants():
        if isinstance(node.tag, str) and accept(node):
            yield node


def _is_caption(element: Element) -> bool:
    return has_class(element, _CAPTION_CLASS) and not has_class(element, _CREDIT_CLASS)


# schema.org microdata properties that name who made or owns a picture (`<figcaption itemprop="author">`).
_CREDIT_ITEMPROPS = frozenset({"author", "creator", "copyrightholder", "credittext", "copyrightnotice"})


def _is_credit(element: Element) -> bool:
    itemprop = element.get("itemprop")
    return has_class(element, _CREDIT_CLASS) or (
        isinstance(itemprop, str) and itemprop.strip().lower() in _CREDIT_ITEMPROPS
    )


def _innermost_credit(root: Element) -> Element | None:
    """The first credit element that holds no other: `image-source-caption` wraps the caption and its
    `image-source`, and only the latter is the credit."""
    for element in _descendants(root, _is_credit):
        if next(_descendants(element, _is_credit), None) is None:
            return element
    return None


@dataclass(frozen=True)
class PhotoReading:
    """One photo as read from the markup, before it becomes a FoundPhoto."""

    caption: str | None
    credit_raw: str | None  # as printed, label and parentheses included
    rule: str


def _read_unit(unit: Element, block: Element | None, rule: str) -> PhotoReading | None:
    """Caption and credit of one figure-like unit (`block` is its caption element, if any)."""
    credit_element = _innermost_credit(block) if block is not None else None
    if credit_element is None:
        credit_element = _innermost_credit(unit)
    block_text = visible_text(block) if block is not None else ""
    inner_caption = next(_descendants(block, _is_caption), None) if block is not None else None
    inner_text = visible_text(inner_caption) if inner_caption is not None else ""
    caption: str | None = inner_text or block_text or None
    credit_raw: str | None = None
    if credit_element is not None:
        credit_text = visible_text(credit_element)
        position = block_text.find(credit_text) if credit_text else -1
        if position >= 0:
            # The credit element and what follows it on its line ("Photo by X" + " /AFP via Getty
            # Images"), not the caption printed below it.
            printed = "".join(credit_element.itertext()) if len(credit_element) == 0 else credit_text
            credit_raw = clean_text(f"{printed}{_inline_continuation(credit_element)}")
            end = position + len(credit_raw)
            if block_text[position:end] != credit_raw:
                end = position + len(credit_text)
            caption = inner_text or f"{block_text[:position]} {block_text[end:]}"
            if credit_raw in caption:  # a caption element that holds the credit too
                caption = clean_text(caption.replace(credit_raw, " "))
        else:
            credit_raw = credit_text or None
    elif inner_text and block_text.startswith(inner_text) and len(block_text) > len(inner_text):
        credit_raw = block_text[len(inner_text) :]
    if credit_raw is None and block is not None:
        parts = _caption_and_credit(block, people=False)
        if parts is not None:
            caption, credit_raw = parts
    if credit_raw is None and caption:
        caption, credit_raw = split_printed_credit(caption)
    return make_reading(caption, credit_raw, rule)


def _inline_continuation(element: Element) -> str:
    """The text that follows an inline element on its line, up to the next block or the end of its parent
    (a block element, the caption's own `<div>`, continues nothing)."""
    if element.tag.lower() in _BLOCKS:
        return ""
    parts = [element.tail or ""]
    for sibling in element.itersiblings():
        if not isinstance(sibling.tag, str):
            parts.append(sibling.tail or "")
            continue
        if sibling.tag.lower() in _BLOCKS or (_is_caption(sibling) and sibling.tag.lower() != "time"):
            break
        if sibling.tag.lower() not in _INVISIBLE:
            parts.append("".join(sibling.itertext()))
        parts.append(sibling.tail or "")
    return "".join(parts)


def make_reading(caption: str | None, credit_raw: str | None, rule: str) -> PhotoReading | None:
    caption = clean_text(caption).strip(TRAILING_PUNCTUATION) if caption else None
    credit_raw = clean_text(credit_raw).strip(" |;,") if credit_raw else None
    if credit_raw and (len(credit_raw) > _MAX_CREDIT or not strip_credit_label(credit_raw)):
        credit_raw = None
    if caption and len(caption) > _MAX_CAPTION:
        caption = caption[:_MAX_CAPTION]
    if not caption and not credit_raw:
        return None
    return PhotoReading(caption=caption or None, credit_raw=credit_raw, rule=rule)


def _sibling_credit(element: Element, levels: int = 2) -> str | None:
    """A caption's credit printed beside it: `<span class="description">…</span><span class="author">…`,
    or beside the wrapper that holds the caption alone (at most `levels` wrappers up), where only a class
    that names a picture's credit counts (not `author`, which a teaser's byline carries):
    `<div><div class="image-description">…</div></div><div><div class="image-copyright">…</div></div>`."""
    pattern = _SIBLING_CREDIT_CLASS
    for _ in range(levels + 1):
        for sibling in islice(element.itersiblings(), _NEAR_SIBLINGS):
            if not isinstance(sibling.tag, str):
                continue
            credit = sibling if pattern is _SIBLING_CREDIT_CLASS else _only_child(sibling)
            if credit is not None and has_class(credit, pattern):
                text = visible_text(credit)
                if text and len(text) <= _MAX_CREDIT:
                    return text
        parent = element.getparent()
        if parent is None or _only_child(parent) is not element:
            return None
        element, pattern = parent, _CREDIT_CLASS
    return None


def _only_child(element: Element) -> Element | None:
    """The element's one child element, if it has exactly one."""
    children = list(islice((child for child in element if isinstance(child.tag, str)), 2))
    return children[0] if len(children) == 1 else None


def _inside_image_container(element: Element, levels: int = 4) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= levels:
            break
        if has_class(ancestor, _IMAGE_CONTAINER_CLASS) or ancestor.tag in ("figure", "picture"):
            return True
    return False


def _near_image(element: Element, levels: int = 2) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= levels:
            break
        if next(ancestor.iter("img", "picture"), None) is not None:
            return True
    return False


def _read_figure(figure: Element) -> PhotoReading | None:
    """A figure's caption and credit; a second figcaption may carry the credit ("Image Credits: X")."""
    figcaptions: list[Element] = []
    for node in figure.iter("figcaption"):
        if visible_text(node) and all(visible_text(node) != visible_text(kept) for kept in figcaptions):
            figcaptions.append(node)
    block = figcaptions[0] if figcaptions else next(_descendants(figure, _is_caption), None)
    reading = _read_unit(figure, block, "html.figcaption")
    if reading is not None and reading.credit_raw is not None:
        return reading
    for other in figcaptions[1:]:
        text = visible_text(other)
        if (
            strip_credit_label(text) != text
            or _is_credit(other)
            or next(_descendants(other, _is_credit), None) is not None
        ):
            return make_reading(reading.caption if reading else None, text, "html.figcaption")
    for container in (block, figure):
        if container is not None:
            parts = _caption_and_credit(container)
            if parts is not None:
                return make_reading(parts[0], parts[1], "html.figcaption")
    return _caption_author(block, reading) or reading


def _caption_author(block: Element | None, reading: PhotoReading | None) -> PhotoReading | None:
    """Inside a figure's caption, an element whose class says author is the picture's: `<figcaption>
    Caption <span class="author">EFE/Jane Doe</span></figcaption>` (a byline there would be no one's)."""
    if block is None or reading is None or not reading.caption:
        return None
    for element in _descendants(block, lambda node: has_class(node, _CAPTION_AUTHOR_CLASS)):
        text = visible_text(element)
        if text and len(text) < len(reading.caption) and looks_like_credit(text):
            return make_reading(clean_text(reading.caption.replace(text, " ")), text, "html.figcaption")
    return None


def _text_parts(container: Element) -> list[str]:
    """The texts of a container's children that a reader sees, in order (pictures and buttons left out)."""
    parts: list[str] = []
    if container.text and container.text.strip():
        parts.append(container.text)
    for child in container:
        if isinstance(child.tag, str) and child.tag.lower() not in ("img", "picture", "video", "audio"):
            text = visible_text(child)
            if text:
                parts.append(text)
        if child.tail and child.tail.strip():
            parts.append(child.tail)
    return [clean_text(part) for part in parts if clean_text(part)]


def _caption_and_credit(container: Element, *, people: bool = True) -> tuple[str | None, str] | None:
    """A caption set in two parts, the credit last in an element of its own with no class to say so:
    `<figcaption><span>Caption.</span><span>Getty Images</span></figcaption>`, a `<footer>` after the
    figcaption. The last part is the credit when it reads as one (`looks_like_credit`)."""
    parts = _text_parts(container)
    if len(parts) < 2 or len(parts) > 4:
        return None
    labelled = [part for part in parts if has_credit_label(part)]
    credit = labelled[0] if len(labelled) == 1 else parts[-1]  # a labelled part wherever it stands
    caption_text = " ".join(part for part in parts if part is not credit)
    if caption_text.endswith(":"):
        return None  # "Bron: <!-- -->BELGA": a label and what it names, not a caption and its credit
    if looks_like_credit(credit, people=False):
        return caption_text, credit
    if people and len(caption_text) > len(credit) and looks_like_credit(credit):
        return caption_text, credit  # a name alone under a longer caption
    first, rest = parts[0], " ".join(parts[1:])
    if (
        not labelled
        and len(rest) > 2 * len(first)
        and rest[0].isupper()  # a caption of its own, not the rest of a sentence: "<b>Police</b> officers …"
        and looks_like_credit(first, people=False)
    ):
        return rest, first  # an agency's name set above the caption: `<span>Agency</span><br>Caption.`
    return None


def _is_lone_credit(element: Element) -> bool:
    """A credit element outside any caption: labelled ("Photograph: REI") or beside an image; without a
    class that says so, a short labelled line beside an image ("Foto: X", "© X" over a picture)."""
    if element.tag.lower() in _INVISIBLE or element.tag.lower() in ("a", "html", "body"):
        return False
    credit_class = has_class(element, _LONE_CREDIT_CLASS)
    if not credit_class and len(element) != 0:
        return False  # without a class that says so, only a leaf element (cheap checks first)
    text = visible_text(element)
    if not text or len(text) > _MAX_CREDIT or _RIGHTS_RESERVED.search(text):
        return False
    if credit_class:
        return strip_credit_label(text) != text or _near_image(element)
    return (
        has_credit_label(text, photo=True)
        and len(element) == 0
        and looks_like_credit(text)
        and _near_image(element)
        and not _inside_link(element)
    )


def _inside_link(element: Element) -> bool:
    """Inside a link, or in the page's furniture (navigation, header, footer), where a "©" is the site's."""
    return any(ancestor.tag in ("a", "nav", "footer", "header") for ancestor in element.iterancestors())


def photos_in_markup(tree: Element) -> list[PhotoReading]:
    """Every captioned or credited picture in the page, in document order."""
    readings: list[PhotoReading] = []
    taken: set[Element] = set()

    def claim(unit: Element) -> None:
        taken.add(unit)
        taken.update(node for node in unit.iterdescendants() if isinstance(node.tag, str))

    for element in tree.iter():
        if not isinstance(element.tag, str) or element in taken:
            continue
        tag = element.tag.lower()
        reading: PhotoReading | None = None
        if tag == "figure":
            if next(element.iterdescendants("figure"), None) is not None:
                continue  # the inner figure is the photo
            reading = _read_figure(element)
            claim(element)
        elif (
            _is_caption(element)
            or tag == "figcaption"
            or (has_class(element, _DESCRIPTION_CLASS) and _inside_image_container(element))
        ):
            reading = _read_unit(element, element, "html.caption")
            if reading is not None and reading.credit_raw is None:
                sibling_credit = _sibling_credit(element)
                if sibling_credit:
                    reading = make_reading(reading.caption, sibling_credit, "html.caption")
            if reading is None or reading.credit_raw is None:
                parts = _caption_and_credit(element, people=False)
                reading = make_reading(parts[0], parts[1], "html.caption") if parts else None
            if reading is not None and reading.credit_raw is None:
                reading = None  # outside a figure, a "caption" without a credit is too often not one
            claim(element)
        elif _is_lone_credit(element):
            text = visible_text(element)
            reading = None if names_a_site(text) else make_reading(None, text, "html.image-credit")
            claim(element)
        if reading is not None and not shows_another_article(element):
            readings.append(reading)
    return readings
