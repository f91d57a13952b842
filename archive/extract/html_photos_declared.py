"""Photos the page declares rather than prints: schema.org images and the credit an image's own `title`
attribute carries ("Caption | Getty Images/Jane Doe"), and how they merge with the printed ones.

A declared photo counts only where the markup printed none with an agreeing caption (or, uncaptioned, the
same credit): the printed caption and credit are what a reader saw.
"""

from __future__ import annotations

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
# Where an image is page furniture (a logo, an avatar, a teaser's thumbnail), not the article's picture.
_FURNITURE = frozenset({"a", "nav", "header", "footer", "aside"})


def photos_in_image_titles(tree: Element) -> list[PhotoReading]:
    """Images whose `title` attribute gives the caption and then the credit: "Caption | AFP/Jane Doe",
    "Caption. Foto: dpa", where the image's `alt` gives the same caption. The credit must read as one
    (`looks_like_credit`, not a person's name alone); an image inside a link or the page's furniture is
    left out."""
    readings: list[PhotoReading] = []
    for image in tree.iter("img"):
        title = image.get("title")
        if not isinstance(title, str) or not 10 <= len(title) <= _MAX_TITLE:
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
        text = visible_text(ancestor)
        if depth >= levels or len(text) > _MAX_TITLE * 4:
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


def _same_photo(photo: FoundPhoto, other: FoundPhoto) -> bool:
    """The same picture printed twice (a gallery and its lightbox): same caption, same credit.

    Uncaptioned photos with one credit ("Photograph: REI" under each product) are different pictures.
    """
    return bool(photo.caption) and (
        normalize_name(photo.caption or "") == normalize_name(other.caption or "")
        and normalize_name(photo.credit or "") == normalize_name(other.credit or "")
    )


def _credits_uncredited(photo: FoundPhoto, kept: FoundPhoto) -> bool:
    """`photo` is `kept` with the credit `kept` lacks: the same caption, read once from the figure and
    once from the credit line beside it."""
    return bool(photo.credit and not kept.credit and photo.caption) and normalize_name(
        photo.caption or ""
    ) == normalize_name(kept.caption or "")


def _credited_by(photo: FoundPhoto, other: FoundPhoto) -> bool:
    """`other` prints (at least) the credit that `photo` gives: "GHULAM RASOOL" within "GHULAM RASOOL/AFP"."""
    if not photo.credit or not other.credit:
        return False
    return f" {normalize_name(photo.credit)} " in f" {normalize_name(other.credit)} "


def merge_photos(printed: list[FoundPhoto], declared: list[FoundPhoto]) -> list[FoundPhoto]:
    """Printed photos once each, then the schema.org images the page did not print."""
    merged: list[FoundPhoto] = []
    for photo in printed:
        uncredited = next((i for i, kept in enumerate(merged) if _credits_uncredited(photo, kept)), None)
        if uncredited is not None:
            merged[uncredited] = photo  # the caption printed again with its credit beside it
        elif not any(_same_photo(photo, kept) for kept in merged):
            merged.append(photo)
    for photo in declared:
        duplicate = any(
            (photo.caption and kept.caption and captions_agree(photo.caption, kept.caption))
            or (not photo.caption and _credited_by(photo, kept))
            for kept in merged
        )
        if not duplicate:
            merged.append(photo)
    return merged
