"""The news pages extraction is built and judged on, shared by `scripts/eval_extraction` and
`scripts/fit_extraction`: `news/` and `news-more/` of the shared corpus, each page with its publisher and
language, and the publishers set aside.

Held-out publishers are chosen by a rule fixed before any of their pages was looked at (the first byte
of the SHA-256 of the publisher's name below 0x18: 13 of `news-more/`'s 139 publishers, 19 pages). They
are never fitted on, their misses are not printed unless asked for, and they are reported last: the
figure closest to how the archive does on publishers nobody on the project has read.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from archive.extract.html import author_candidate_lists, site_name_candidates  # noqa: E402
from archive.extract.html_authors import AuthorCandidate, author_list_candidates  # noqa: E402
from archive.extract.html_editors import editor_keys, page_editors  # noqa: E402
from archive.extract.html_sources import PageSources, decode_html, read_sources  # noqa: E402
from archive.extract.html_titles import title_candidates, title_key  # noqa: E402
from archive.extract.weighing import Candidate, Example  # noqa: E402
from archive.names import normalize_name  # noqa: E402

FOLDERS = ("news", "news-more")
HELD_OUT_BELOW = 0x18


def is_held_out(publisher: str) -> bool:
    return hashlib.sha256(publisher.encode("utf-8")).digest()[0] < HELD_OUT_BELOW


@dataclass
class Page:
    doc_id: str
    path: Path
    folder: str
    sidecar: dict[str, Any]

    @property
    def publisher(self) -> str:
        """The publisher as the file names it (`de-14_BoersenZeitung_2024_10_23` -> `BoersenZeitung`)."""
        return self.doc_id.split("_")[1]

    @property
    def language(self) -> str:
        return str(self.sidecar.get("language") or "en")

    @property
    def truth(self) -> dict[str, Any]:
        ground_truth: dict[str, Any] = self.sidecar["ground_truth"]
        return ground_truth

    @property
    def held_out(self) -> bool:
        return self.folder == "news-more" and is_held_out(self.publisher)

    @cached_property
    def html(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def sources(self) -> PageSources:
        return read_sources(decode_html(self.html), None)

    @cached_property
    def titles(self) -> list[Candidate[str]]:
        return title_candidates(self.sources, site_name_candidates(self.sources))

    @cached_property
    def authors(self) -> list[Candidate[list[AuthorCandidate]]]:
        return author_list_candidates(
            author_candidate_lists(self.sources),
            site_name_candidates(self.sources),
            editor_keys(page_editors(self.sources.tree)),
        )


def load_pages(corpus: Path, folders: Iterable[str] = FOLDERS) -> list[Page]:
    pages = []
    for folder in folders:
        for path in sorted((corpus / folder).glob("*.html")):
            sidecar = path.with_suffix(".json")
            if sidecar.exists():
                pages.append(Page(path.stem, path, folder, json.loads(sidecar.read_text(encoding="utf-8"))))
    return pages


def title_example(page: Page) -> Example:
    """The page's title candidates, and which of them is the title as printed."""
    expected = title_key(page.truth["title"])
    correct = frozenset(
        i for i, candidate in enumerate(page.titles) if title_key(candidate.value) == expected
    )
    return Example([candidate.features for candidate in page.titles], correct)


def author_key(names: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize_name(name) for name in names) - {""}


def author_example(page: Page) -> Example:
    """The page's author-list candidates, and which of them is the ground truth's list."""
    expected = author_key(page.truth["authors"])
    correct = frozenset(
        i
        for i, candidate in enumerate(page.authors)
        if author_key(c.name for c in candidate.value) == expected
    )
    return Example([candidate.features for candidate in page.authors], correct)
