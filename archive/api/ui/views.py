"""What the pages show, shaped from service results: pure functions, no HTTP and no templates.

Text is never turned into markup here; the templates escape every string, so an archived page's
`<script>` is shown as text, never run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, zip_longest

from archive.wire.versions import VersionOut

DIFF_CONTEXT = 3


@dataclass(frozen=True)
class Mark:
    """An evidence span to highlight in a version's text: `anchor` is its id in the page."""

    anchor: str
    start: int
    end: int
    label: str


@dataclass
class Segment:
    """A run of text, and the marks covering it (empty: plain text). `anchors` start here."""

    text: str
    marks: list[Mark] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)


def highlight(text: str, marks: Iterable[Mark]) -> list[Segment]:
    """Cut `text` at every mark's start and end, so each segment is covered by the same marks
    throughout. Marks outside the text are clipped; empty ones are dropped."""
    usable = [
        Mark(m.anchor, max(0, m.start), min(len(text), m.end), m.label)
        for m in marks
        if min(len(text), m.end) > max(0, m.start)
    ]
    cuts = sorted({0, len(text), *(m.start for m in usable), *(m.end for m in usable)})
    segments = []
    for start, end in pairwise(cuts):
        covering = [m for m in usable if m.start <= start and end <= m.end]
        anchors = [m.anchor for m in usable if m.start == start]
        segments.append(Segment(text[start:end], covering, anchors))
    return segments


@dataclass(frozen=True)
class CreditRow:
    """A credit as the document page lists it, with the words it was read from."""

    name: str
    kind: str
    role: str
    marc_relator: str
    source: str
    rule: str | None
    quote: str | None
    anchor: str | None
    photo: int | None
    field: str | None = None  # the embedded metadata field it was read from (`XMP-dc:Creator`)


def evidence_rows(version: VersionOut, text: str | None) -> tuple[list[CreditRow], list[Mark]]:
    """Every credit of a version (its photos' too) with its evidence quoted from the version's text,
    and the marks to highlight there."""
    rows: list[CreditRow] = []
    marks: list[Mark] = []
    for number, credit in enumerate(version.credits):  # photographers and photo credits included
        span = credit.evidence.span if credit.evidence is not None else None
        quote = anchor = None
        if span is not None and text is not None and 0 <= span[0] < span[1] <= len(text):
            anchor = f"evidence-{number}"
            quote = text[span[0] : span[1]]
            marks.append(Mark(anchor, span[0], span[1], f"{credit.name} ({credit.role})"))
        rows.append(
            CreditRow(
                name=credit.name,
                kind=credit.kind,
                role=credit.role,
                marc_relator=credit.marc_relator,
                source=credit.source,
                rule=credit.evidence.rule if credit.evidence is not None else None,
                quote=quote,
                anchor=anchor,
                photo=credit.photo,
                field=credit.evidence.field if credit.evidence is not None else None,
            )
        )
    return rows, marks


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff. `kind` is equal, replace, delete, insert or skip (a run of
    `skipped` unchanged lines left out); line numbers count from 1."""

    kind: str
    left_number: int | None = None
    left: str | None = None
    right_number: int | None = None
    right: str | None = None
    skipped: int = 0


def side_by_side(before: Sequence[str], after: Sequence[str], context: int = DIFF_CONTEXT) -> list[DiffRow]:
    """Two versions' lines beside each other, changed runs paired, unchanged runs cut to `context`
    lines around each change."""
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(
        a=before, b=after
    )  # autojunk: lines as common as blank ones are not anchors, which keeps long texts from taking minutes
    opcodes = matcher.get_opcodes()
    for position, (tag, first, last, start, end) in enumerate(opcodes):
        if tag == "equal":
            keep_head = context if position > 0 else 0
            keep_tail = context if position < len(opcodes) - 1 else 0
            rows.extend(_unchanged_rows(before, (first, last), start - first, keep_head, keep_tail))
            continue
        for offset, (old, new) in enumerate(zip_longest(before[first:last], after[start:end])):
            rows.append(
                DiffRow(
                    kind=tag,
                    left_number=first + offset + 1 if old is not None else None,
                    left=old,
                    right_number=start + offset + 1 if new is not None else None,
                    right=new,
                )
            )
    return rows


def _unchanged_rows(
    lines: Sequence[str], run: tuple[int, int], shift: int, keep_head: int, keep_tail: int
) -> list[DiffRow]:
    """An unchanged run of `lines` (`shift` later on the right): the lines next to a change kept, the
    middle folded into one skip row."""
    first, last = run

    def row(index: int) -> DiffRow:
        return DiffRow("equal", index + 1, lines[index], index + shift + 1, lines[index])

    if last - first <= keep_head + keep_tail:
        return [row(index) for index in range(first, last)]
    head = [row(index) for index in range(first, first + keep_head)]
    tail = [row(index) for index in range(last - keep_tail, last)]
    folded = DiffRow("skip", skipped=last - first - keep_head - keep_tail)
    return [*head, folded, *tail]
