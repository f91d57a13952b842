"""Editors a page names by a label beside the article rather than in its text: "Editor : Heryadi",
"(责编\uff1a牛镛、岳弘彬)" (a full-width colon), "Redaktør: Kari Nordmann".

A name under such a label is the story's editor, so it is credited as one, and an author list holding it
is weighed as the editor taken for the writer (`archive.extract.html_authors`: feature `names_editor`):
schema.org data often gives the desk editor who published the page as its `author`. A masthead's editors
(in the page's footer or navigation, or another article's teaser) are the publication's, not the
story's, and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from archive.domain.credits import AgentKind
from archive.extract.html_elsewhere import Element, shows_another_article
from archive.extract.html_names import has_organisation_word, is_junk_byline, split_author_names
from archive.extract.html_photos import visible_text
from archive.extract.model import FoundCredit
from archive.names import normalize_name

RULE_EDITOR_LABEL = "html.editor_label"
# The label opens the element's text and ends with a colon (or a full-width one): "Editor:", "Edited by",
# "责编" and its colon.
_COLON = r"\s*[:\uff1a]"
_EDITOR_LABEL = re.compile(
    rf"^\s*[(\uff08\[]?\s*(?:(?:managing\s+|desk\s+)?editors?{_COLON}|edited\s+by\b|editing\s+by\b"
    rf"|penyunting{_COLON}|redakt(?:eu)?r(?:in)?{_COLON}|redaktør{_COLON}|editör{_COLON}|editora?{_COLON}"
    rf"|(?:责任)?(?:编辑|責任編集|編集|編輯){_COLON}|责编{_COLON}|편집{_COLON})\s*",
    re.IGNORECASE,
)
_LIST_MARKS = re.compile("[\u3001\uff0c]")  # the list commas of Chinese and Japanese
_CLOSING = re.compile(r"[)\uff09\]]\s*$")
_MAX_LINE = 120
_MAX_ELEMENTS = 20_000  # elements looked at, so that a hostile page costs little
_MAX_LABELS = 50  # labelled elements read in full (a page of nested labels must not read each one whole)
_MAX_NAME_WORDS = 4


def page_editors(tree: Element | None) -> list[FoundCredit]:
    """The names under an editor's label in the page's own part, once each, in page order."""
    if tree is None:
        return []
    credits: list[FoundCredit] = []
    seen: set[str] = set()
    for name in _labelled_names(tree):
        key = normalize_name(name)
        if key and key not in seen:
            seen.add(key)
            kind: AgentKind = "organization" if has_organisation_word(name) else "person"
            credits.append(FoundCredit(name=name, role="editor", kind=kind, rule=RULE_EDITOR_LABEL))
    return credits


def _labelled_names(tree: Element) -> Iterable[str]:
    labels = 0
    for number, element in enumerate(tree.iter()):
        if number >= _MAX_ELEMENTS or labels >= _MAX_LABELS:
            return
        if not isinstance(element.tag, str) or not element.text or not _EDITOR_LABEL.match(element.text):
            continue
        labels += 1
        line = " ".join(visible_text(element).split())
        label = _EDITOR_LABEL.match(line)
        if label is None or len(line) > _MAX_LINE or shows_another_article(element):
            continue
        listed = _LIST_MARKS.sub(", ", _CLOSING.sub("", line[label.end() :]))
        for name in split_author_names(listed):
            if not is_junk_byline(name) and len(name.split()) <= _MAX_NAME_WORDS:
                yield name


def editor_keys(editors: list[FoundCredit]) -> frozenset[str]:
    """The editors' names as author lists are compared."""
    return frozenset(normalize_name(editor.name) for editor in editors) - {""}
