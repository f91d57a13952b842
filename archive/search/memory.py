"""An index in memory, for unit tests over the fake unit of work: the same reading of words as FTS5
(folded and stemmed in Python), phrases matched in order, fields weighed 10, 5 and 1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archive.names import normalize_name
from archive.search.filters import most_common
from archive.search.model import Candidates, Facets, Hit, IndexEntry, SearchFilters
from archive.search.query import ParsedQuery, Phrase
from archive.search.sqlite import phrase_forms, query_languages
from archive.search.text import snowball_language, stemmed_text

WEIGHTS = (10.0, 5.0, 1.0)


@dataclass(frozen=True)
class _Indexed:
    entry: IndexEntry
    fields: tuple[tuple[str, ...], ...]


def _occurrences(words: tuple[str, ...], form: tuple[str, ...]) -> int:
    size = len(form)
    return sum(1 for start in range(len(words) - size + 1) if words[start : start + size] == form)


class MemorySearchIndex:
    engine = "memory"

    def __init__(self, entries: dict[int, _Indexed] | None = None) -> None:
        self.entries: dict[int, _Indexed] = entries if entries is not None else {}

    def add(self, entry: IndexEntry) -> None:
        language = snowball_language(entry.language)
        fields = tuple(
            tuple(stemmed_text(value, language).split()) for value in (entry.title, entry.names, entry.body)
        )
        self.entries[entry.version_id] = _Indexed(entry, fields)

    def clear(self) -> None:
        self.entries.clear()

    def count(self) -> int:
        return len(self.entries)

    def _latest(self) -> dict[str, int]:
        latest: dict[str, int] = {}
        for indexed in self.entries.values():
            entry = indexed.entry
            latest[entry.document_id] = max(latest.get(entry.document_id, 0), entry.number)
        return latest

    def hits(self, version_ids: Sequence[int]) -> list[Hit]:
        latest = self._latest()
        return [
            Hit(
                version_id=entry.version_id,
                document_id=entry.document_id,
                number=entry.number,
                title=entry.title or None,
                publisher=entry.publisher,
                published_at=entry.published_at,
                language=entry.language,
                text=entry.body or None,
                latest=latest[entry.document_id] == entry.number,
            )
            for entry in (
                self.entries[version_id].entry for version_id in version_ids if version_id in self.entries
            )
        ]

    def facets(self, version_ids: Sequence[int], size: int) -> Facets:
        entries = [self.entries[version_id].entry for version_id in version_ids if version_id in self.entries]
        return Facets(
            publisher=most_common([entry.publisher for entry in entries if entry.publisher], size),
            credit=most_common(
                [name for entry in entries for name in {name for name, _ in entry.credits}], size
            ),
            year=most_common([str(entry.published_at.year) for entry in entries if entry.published_at], size),
            language=most_common([entry.language.lower() for entry in entries if entry.language], size),
        )

    def candidates(self, query: ParsedQuery, filters: SearchFilters, bound: int) -> Candidates:
        languages = query_languages(filters)
        latest = self._latest()
        found: list[tuple[int, float]] = []
        for version_id in sorted(self.entries, reverse=True):
            indexed = self.entries[version_id]
            if not filters.all_versions and latest[indexed.entry.document_id] != indexed.entry.number:
                continue
            if not _passes(indexed.entry, filters):
                continue
            score = 0.0 if query.empty else _score(indexed, query, languages)
            if score is not None:
                found.append((version_id, score))
        ranked = sorted(found[:bound], key=lambda row: (-row[1], -row[0]))
        return Candidates(ranked=ranked, complete=len(found) <= bound)


def _score(indexed: _Indexed, query: ParsedQuery, languages: list[str | None]) -> float | None:
    """The weighed count of matched phrases, or None when the version does not match."""
    if any(_weighed(indexed, phrase, languages) for phrase in query.excluded):
        return None
    total = 0.0
    for clause in query.required:
        clause_score = sum(_weighed(indexed, phrase, languages) for phrase in clause.alternatives)
        if clause_score == 0:
            return None
        total += clause_score
    return total


def _weighed(indexed: _Indexed, phrase: Phrase, languages: list[str | None]) -> float:
    forms = [tuple(form.split()) for form in phrase_forms(phrase, languages)]
    return sum(
        weight * _occurrences(words, form)
        for weight, words in zip(WEIGHTS, indexed.fields, strict=True)
        for form in forms
    )


def _passes(entry: IndexEntry, filters: SearchFilters) -> bool:
    checks = [
        filters.publisher is None or (entry.publisher or "").lower() == filters.publisher.lower(),
        filters.language is None
        or (entry.language or "").lower() == filters.language.lower()
        or (entry.language or "").lower().startswith(filters.language.lower() + "-"),
        filters.media_type is None or entry.media_type.split(";")[0] == filters.media_type.lower(),
        filters.published_from is None
        or (entry.published_at is not None and entry.published_at >= filters.published_from),
        filters.published_before is None
        or (entry.published_at is not None and entry.published_at < filters.published_before),
        (filters.credit is None and filters.role is None)
        or any(
            (filters.credit is None or filters.credit in normalize_name(name))
            and (filters.role is None or filters.role == role)
            for name, role in entry.credits
        ),
    ]
    return all(checks)
