"""Photos the page declares rather than prints: schema.org images and the credit an image's own `title`
attribute carries ("Caption | Getty Images/Jane Doe"), and how they merge with the printed ones.

A declared photo counts only where the markup printed none with an agreeing caption (or, uncaptioned, the
same credit): the printed caption and credit are what a reader saw.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from itertools import islice
from typing import Any

from archive.extract.html_credit_text import looks_like_credit, split_printed_credit
from archive.extract.html_elsewhere import Element, in_teaser_block, shows_another_article
from archive.extract.html_names import (
    clean_text,
    credit_agents,
    is_junk_byline,
    is_video_credit,
    name_kind,
    strip_credit_label,
)
from archive.extract.html_photos import PhotoReading, make_reading, visible_text
from archive.extract.html_sources import SchemaOrg
from archive.extract.model import FoundCredit, FoundPhoto
from archive.names import normalize_name

_IMAGE_CREDIT_FIELDS = ("creditText", "copyrightHolder", "author", "creator")


def _agent_name(schema: SchemaOrg, value: Any) -> str | None:
    value = schema.resolve(value)
    if isinstance(value, list):
        names = [name for name in (_agent_name(schema, item) for item in value) if name]
        return "; ".join(names) or None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and not is_junk_byline(clean_text(value)):
        return clean_text(value)
    return None


def photos_in_schema(schema: SchemaOrg) -> list[PhotoReading]:
    """ImageObjects that say who made or owns them (the rule names the field that said so)."""
    readings: list[PhotoReading] = []
    for node in schema.of_types(frozenset({"ImageObject", "Photograph"})):
        for credit_field in _IMAGE_CREDIT_FIELDS:
            credit = _agent_name(schema, node.get(credit_field))
            if not credit:
                continue
            caption = node.get("caption") or node.get("description")
            reading = make_reading(
                caption if isinstance(caption, str) else None, credit, f"{schema.syntax}.image.{credit_field}"
            )
            if reading is not None:
                readings.append(reading)
            break
    return readings


_TITLE_SEPARATOR = " | "
_MAX_TITLE = 600
_MAX_TITLED_IMAGES = 100  # images with a title looked at per page
_MAX_DECLARED = 200  # declared images (schema.org, image titles) merged per page
_MAX_CONTAINER = 60  # elements in a container whose text is read to find a printed credit
# Where an image is page furniture (a logo, an avatar, a teaser's thumbnail), not the article's picture.
_FURNITURE = frozenset({"a", "nav", "header", "footer", "aside"})


def photos_in_image_titles(tree: Element) -> list[PhotoReading]:
    """Images whose `title` attribute gives the caption and then the credit: "Caption | AFP/Jane Doe",
    "Caption. Foto: dpa", where the image's `alt` gives the same caption. The credit must read as one
    (`looks_like_credit`, not a person's name alone); an image inside a link or the page's furniture is
    left out."""
    readings: list[PhotoReading] = []
    titled = (image for image in tree.iter("img") if isinstance(image.get("title"), str))
    for image in islice(titled, _MAX_TITLED_IMAGES):  # a page of thousands is not read to its end
        title = image.get("title") or ""
        if not 10 <= len(title) <= _MAX_TITLE:
            continue
        if _elsewhere(image):
            continue
        title = clean_text(title)
        caption, _, credit = title.rpartition(_TITLE_SEPARATOR)
        if not (caption and looks_like_credit(credit, people=False)):
            caption, printed = split_printed_credit(title)
            if printed is None or not looks_like_credit(printed, people=False):
                continue
            credit = printed
        if name_kind(caption) == "person":
            continue  # a portrait named and nothing more: an author's picture beside the byline
        if not captions_agree(image.get("alt"), caption):
            continue  # the caption a content system writes into both; a title alone may be anything
        if _printed_beside(image, credit):
            continue  # the markup prints it under the picture, read there with the printed caption
        reading = make_reading(caption, credit, "html.img-title")
        if reading is not None and reading.caption:
            readings.append(reading)
    return readings


def _elsewhere(image: Element) -> bool:
    """An image in a link or the page's furniture, or standing for another article."""
    return (
        any(ancestor.tag in _FURNITURE for ancestor in image.iterancestors())
        or shows_another_article(image)
        or in_teaser_block(image)
    )


def _printed_beside(image: Element, credit: str, levels: int = 3) -> bool:
    """The credit is printed in the image's container (at most `levels` up, and only a container of
    about a figure's text)."""
    wanted = normalize_name(strip_credit_label(credit))
    for depth, ancestor in enumerate(image.iterancestors()):
        if (
            depth >= levels
            or next(islice(ancestor.iterdescendants(), _MAX_CONTAINER, None), None) is not None
        ):
            return False  # past a figure's few elements: the page's body, whose text is not read per image
        text = visible_text(ancestor)
        if len(text) > _MAX_TITLE * 4:
            return False
        if wanted and wanted in normalize_name(text):
            return True
    return False


def captions_agree(first: str | None, second: str | None) -> bool:
    """Two captions of one picture: one contains the other once normalised (a credit may trail one)."""
    if not first or not second:
        return False
    a, b = normalize_name(first), normalize_name(second)
    return bool(a and b) and (a in b or b in a)


def to_found_photo(reading: PhotoReading) -> FoundPhoto | None:
    """A reading as a FoundPhoto: the credit line without its label, and who it names."""
    if reading.credit_raw and is_video_credit(reading.credit_raw):
        return None
    credit = strip_credit_label(reading.credit_raw) if reading.credit_raw else None
    credits = tuple(
        FoundCredit(name=agent.name, role=agent.role, kind=agent.kind, rule=reading.rule)
        for agent in (credit_agents(credit) if credit else [])
    )
    return FoundPhoto(caption=reading.caption, credit=credit or None, credits=credits, rule=reading.rule)


def _key(text: str | None) -> str:
    return normalize_name(text or "")


def _merge_printed(printed: list[FoundPhoto]) -> list[FoundPhoto]:
    """Printed photos once each. The same picture printed twice (a gallery and its lightbox: same caption,
    same credit) is kept once; uncaptioned photos with one credit ("Photograph: REI" under each product) are
    different pictures. A caption read once without its credit (from the figure) and once with it (from
    the credit line beside it) is kept with it. Keys are normalised once per photo, so that a page of
    thousands of pictures costs one pass."""
    merged: list[FoundPhoto] = []
    kept_pairs: Counter[tuple[str, str]] = Counter()  # (caption, credit) of the captioned photos kept
    uncredited: dict[str, deque[int]] = defaultdict(deque)  # caption -> where its uncredited photos are
    for photo in printed:
        caption, credit = _key(photo.caption), _key(photo.credit)
        waiting = uncredited.get(caption) if photo.caption and photo.credit else None
        if waiting:
            index = waiting.popleft()
            kept_pairs[(caption, "")] -= 1  # the uncredited photo it replaces
            merged[index] = photo  # the caption printed again with its credit beside it
        elif photo.caption and kept_pairs[(caption, credit)] > 0:
            continue
        else:
            merged.append(photo)
            if not photo.credit:
                uncredited[caption].append(len(merged) - 1)
        kept_pairs[(caption, credit)] += 1
    return merged


def merge_photos(printed: list[FoundPhoto], declared: list[FoundPhoto]) -> list[FoundPhoto]:
    """Printed photos once each (`_merge_printed`), then the declared images (schema.org, image titles)
    the page did not print: none whose caption agrees with one kept before it, nor, uncaptioned, whose
    credit one kept before it gives ("GHULAM RASOOL" within "GHULAM RASOOL/AFP")."""
    merged = _merge_printed(printed)
    captions = [key for photo in merged if photo.caption and (key := _key(photo.caption))]
    credits = [f" {_key(photo.credit)} " for photo in merged if photo.credit]
    for photo in declared[:_MAX_DECLARED]:
        if photo.caption:
            caption = _key(photo.caption)
            duplicate = bool(caption) and any(caption in kept or kept in caption for kept in captions)
        else:
            credit = f" {_key(photo.credit)} " if photo.credit else ""
            duplicate = bool(credit.strip()) and any(credit in kept for kept in credits)
        if not duplicate:
            merged.append(photo)
            if photo.caption and (key := _key(photo.caption)):
                captions.append(key)
            if photo.credit:
                credits.append(f" {_key(photo.credit)} ")
    return merged
