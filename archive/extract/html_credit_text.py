"""How a caption prints its credit in its own text, and whether a short text reads as a credit.

A credit may close the caption: in parentheses ("(AP Photo/Jane Doe)", "(Foto: dpa)", "[사진 = 연합뉴스]"),
after a label ("Photograph: Eva Manez/Reuters", "Bild: Andreas Seidel/Archiv"), as a wire credit in
capitals ("REUTERS/Jane Doe"), or as a short agency or source word after the caption's last sentence
("... 있다. 연합뉴스", "... from the ground up. Supplied"). These rules read text only; where the markup
sets the credit apart, `html_photos` reads it from there first.
"""

from __future__ import annotations

import re

from archive.extract.html_names import (
    FOREIGN_CREDIT_LABEL,
    clean_text,
    has_credit_label,
    has_organisation_word,
    name_kind,
    strip_credit_label,
)
from archive.names import normalize_name

# A credit printed after the caption, introduced by a label: "Photograph: X", "Picture by X", "Credit: X".
_TRAILING_LABELLED_CREDIT = re.compile(
    r"(?:^|(?<=[\s.;,(|—\u2013-]))"
    r"(?:(?:Photo(?:graph)?s?|Pictures?|Pics?|Images?|Illustration|Graphic)(?:\s+[Cc]redits?)?\s*:"
    r"|(?:Photo(?:graph)?s?|Pictures?|Images?|Illustration|Graphic)\s+by\b"
    r"|(?:Image|Photo)?\s*[Cc]redits?\s*(?::|…|\.\.\.)|(?:Image|Photo|Picture)\s+source\s*[:,]"
    r"|Sources?\s*:|Courtesy(?:\s+of)?\b|©"
    rf"|(?i:{FOREIGN_CREDIT_LABEL})\s*[:\uff1a=])"
    r"\s*(?P<credit>[^:]{2,150})$"
)
# A wire credit closing the caption without a label: "... on Tuesday. REUTERS/Jane Doe", "EPA/JOHN ROE".
_TRAILING_WIRE_CREDIT = re.compile(
    r"(?<=[.!?\u201d\"]\s)(?P<credit>[A-Z][A-Z&-]+(?: [A-Z][A-Z&-]+)*\s?/\s?[^/()]{2,80}(?:/[^/()]{2,80})*)$"
)
# A credit closing the caption after its last sentence, with no label: "... 있다. 연합뉴스", "... 있다. 고영권
# 기자", "... ground up. Supplied", "... on Thursday. Getty Images". Only a short run of words that reads
# as a credit (`_is_trailing_credit`) counts.
_TRAILING_SHORT_CREDIT = re.compile(r"(?<=[.!?。」”\"])\s+(?P<credit>[^.!?。\s][^.!?。:;]{0,40}?)\s*$")
_HANGUL_OR_KANA = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\uac00-\ud7af]")
# Japanese and Chinese captions close with the credit after an equals sign or a copyright mark:
# "…（ソウルで、３日）＝ＡＰ", "…評価検討会＝代表", "…石川（Ｃ）共同通信社".
_PLACE_PARTICLES = ("で", "に", "へ", "から", "まで", "より")
_PHOTOGRAPHED = ("撮影", "提供")  # "(代表撮影)": taken by the pool; "(同社提供)": supplied by the company
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_TRAILING_CJK_CREDIT = re.compile(
    r"(?:[＝=]|[(（]\s*[CcＣｃ]\s*[)）]|©)\s*(?P<credit>[^＝=。、，！？!?（）()「」\s][^＝=。、，！？!?（）()「」]{0,24})$"
)
# Words that credit a picture by saying where it came from rather than who took it.
_SOURCE_WORDS = frozenset(
    ["supplied", "handout", "privat", "private", "zvg", "archiv", "archive", "archivbild", "pool", "courtesy"]
)
# What a caption says a picture is, never who made it: any mix of these words ("File image", "stock photo")
# or, in the other languages the archive receives, one of these (normalised) names.
_PICTURE_WORDS = frozenset(
    ["file", "files", "image", "images", "photo", "photos", "picture", "pictures", "stock", "archive"]
)
_PICTURE_KINDS = frozenset(
    [
        "archivbild", "archivfoto", "archiv", "symbolbild", "symbolfoto", "illustration", "grafik",
        "photo d archive", "image d archives", "foto de archivo", "imagen de archivo", "foto d archivio",
        "arkivbild", "arkivfoto", "archiefbeeld", "archieffoto",
    ]
)  # fmt: skip


def _is_picture_kind(text: str) -> bool:
    """ "(Archivbild)", "File image", "stock photo": what the picture is, not who made it."""
    normalized = normalize_name(text)
    return bool(normalized) and (normalized in _PICTURE_KINDS or set(normalized.split()) <= _PICTURE_WORDS)


_TRAILING_PARENTHESES = re.compile(r"[(\[\uff08](?P<inside>[^()\[\]\uff08\uff09]{2,150})[)\]\uff09]\s*$")
_CAPTION_WORD = re.compile(
    r"^(?:[A-ZÀ-Þ0-9][\w.'\u2019&-]*|of|and|for|the|via|de|du|la|le|del|van|von|by|in|at)$"
)
# Parenthesised words that describe the picture rather than credit it: "(left)", "(File)", "(L-R)".
_POSITIONAL = frozenset(
    [
        "left", "right", "centre", "center", "top", "bottom", "above", "below", "inset", "file", "pictured",
        "front", "back", "main", "l r", "r l",
    ]
)  # fmt: skip
TRAILING_PUNCTUATION = " \u00a0—\u2013-|:;,("


def _looks_like_credit_names(inside: str) -> bool:
    """ "U.S. District Court, Eastern District of New York", "NPA": capitalised names, not "(left)"."""
    if normalize_name(inside) in _POSITIONAL or not any(ch.isalpha() for ch in inside):
        return False
    words = re.split(r"[\s,/;]+", inside.strip())
    return all(_CAPTION_WORD.match(word) for word in words if word)


def split_printed_credit(caption: str) -> tuple[str, str | None]:
    """A caption with its credit printed at the end -> (caption, credit as printed, label included)."""
    parenthesised = _parenthesised_credit(caption)
    if parenthesised is not None:
        return parenthesised if parenthesised[1] is not None else (caption, None)
    labelled_match = _TRAILING_LABELLED_CREDIT.search(caption)
    if labelled_match and len(labelled_match.group("credit").split()) <= 15:
        start = labelled_match.start()
        return caption[:start].strip(TRAILING_PUNCTUATION), caption[start:].strip()
    wire = _TRAILING_WIRE_CREDIT.search(caption)
    if wire and len(wire.group("credit").split()) <= 10:
        return caption[: wire.start()].strip(TRAILING_PUNCTUATION), wire.group("credit").strip()
    cjk = _TRAILING_CJK_CREDIT.search(caption) if _CJK.search(caption) else None
    if cjk and cjk.start() > 0 and _is_cjk_credit(cjk.group("credit")):
        return caption[: cjk.start()].strip(TRAILING_PUNCTUATION), cjk.group("credit").strip()
    short = _TRAILING_SHORT_CREDIT.search(caption)
    if short and _is_trailing_credit(short.group("credit")):
        return caption[: short.start()].strip(" "), short.group("credit").strip()
    return caption, None


def _parenthesised_credit(caption: str) -> tuple[str, str | None] | None:
    """A credit in the caption's closing parentheses: "(AP Photo/Jane Doe)", "（代表撮影）" (taken by the
    pool). (caption, None) where the parentheses say what the picture is ("(Archivbild)"); None where
    they hold no credit."""
    parenthesised = _TRAILING_PARENTHESES.search(caption)
    if not parenthesised:
        return None
    before = caption[: parenthesised.start()].strip(TRAILING_PUNCTUATION)
    inside = parenthesised.group("inside").strip()
    if _is_picture_kind(inside):
        return caption, None
    if inside.endswith(_PHOTOGRAPHED) and len(inside) > 2 and _CJK.search(inside):
        return before, inside[:-2].strip()
    if strip_credit_label(inside) != inside or "/" in inside or _looks_like_credit_names(inside):
        return before, inside
    return None


def _is_cjk_credit(text: str) -> bool:
    """What follows a Japanese caption's "＝" is its credit ("共同", "ロイター", "代表撮影"), not the day or
    the place it was taken ("＝13日", "＝東京都内で")."""
    return not any(character.isdigit() for character in text) and not text.endswith(_PLACE_PARTICLES)


def _is_trailing_credit(text: str) -> bool:
    """The words after a caption's last sentence are its credit: in Korean and Japanese captions a
    name or an agency ("연합뉴스", "고영권 기자"), elsewhere an agency or a source word ("Getty Images",
    "Supplied")."""
    words = text.split()
    if not words or len(words) > 4:
        return False
    if _HANGUL_OR_KANA.search(text):
        return len(words) <= 3 and len(text) <= 20
    normalized = normalize_name(text)
    if normalized in _SOURCE_WORDS:
        return True
    if _is_picture_kind(text):  # "File image": an old picture, nobody credited
        return False
    return text[0].isupper() and has_organisation_word(text) and name_kind(text) == "organization"


_CREDIT_SLASH = re.compile(r"\S\s?/\s?\S")
_MAX_CREDIT_WORDS = 8


_LONG_NUMBER = re.compile(r"\d{6,}")


def looks_like_credit(text: str, *, people: bool = True) -> bool:
    """A short text that reads as a photo credit: labelled ("Foto: X", "© X"), parts joined by a slash
    ("Name/Agency"), an agency's or organisation's name ("Getty Images", "REUTERS"), or (`people`) a
    person's name alone."""
    text = clean_text(text)
    words = len(text.split())
    bare = strip_credit_label(text)
    if not bare or len(text) > 100 or words > _MAX_CREDIT_WORDS or not any(c.isalpha() for c in bare):
        return False
    if _is_picture_kind(bare) or _LONG_NUMBER.search(bare):
        return False  # what the picture is; "dpa:230428-99-483045" is a wire id
    if has_credit_label(text):
        return True
    if text.endswith(("?", "!", ":")) or (text.endswith(".") and words > 3):
        return False  # a sentence
    slashed = bool(_CREDIT_SLASH.search(text)) and all(len(part.split()) <= 5 for part in text.split("/"))
    return (
        slashed
        or (has_organisation_word(text) and words <= 4)
        or (people and name_kind(text.rstrip(".")) == "person")
    )
