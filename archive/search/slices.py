"""The newest matches of a query, read slice by slice of version ids, newest slice first.

PostgreSQL's GIN index finds every row that holds a word, in no order: the newest `bound` of a word in a
few percent of a million versions would mean reading all of them (each row's heap tuple, for its id) and
sorting. A walk newest first along the ids instead checks each row's tsvector, cheap when most rows match,
slow when few do. A slice of ids bounds both: the index (or the walk, whichever the planner takes within
the slice) meets only the matches inside it. Slices are sized from the share of versions expected to
match, the planner's estimate at first and then what the slices read so far found, so that the newest
`bound` are found in a slice or two whatever the word's frequency. A query whose matches must be checked
row by row beyond what the index tells (a phrase: the index knows its words, not their order) stops after
about `checks` rows holding every word were read: its matches past them are left out, and said so. Those
are read in one slice: a phrase's matches are a small share of the versions holding its words, which the
estimate is of, so slices sized from it would be many, each costing an index scan of every word.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Slices are made this much larger than the expected share of matches needs, so one usually suffices.
MARGIN = 1.5
# Expected to hold at most this many times `bound` matches, the versions are read in one slice.
FEW = 8
# A slice grows at most this many times on the last (the estimate may be far off), and is at least `bound`.
GROWTH = 16

# Reads the matches with low <= id < high, newest first, at most `limit` of them.
ReadSlice = Callable[[int, int, int], Sequence[Any]]


@dataclass(frozen=True)
class Walked:
    rows: list[Any]
    """At most `bound + 1` rows, newest first."""
    complete: bool
    """Every version was looked at (False: the walk stopped at its checks, and older matches may exist)."""


def newest_matches(
    read: ReadSlice, *, top: int, share: float, bound: int, checks: float | None = None
) -> Walked:
    """The newest `bound + 1` matches among versions 1..`top` (ids), given `share`, the part of all
    versions expected to hold the query's words. With `checks`, stop once about that many versions holding
    the words were read (their share times the versions walked)."""
    rows: list[Any] = []
    high, walked = top + 1, 0
    # Few matches expected: one read of them all (each slice has a cost of its own, whatever it holds).
    width = top if share * top <= FEW * bound else _width(bound + 1, share, bound)
    if checks is not None:  # the versions that may be checked, read in one slice (then the walk stops)
        width = max(1, math.ceil(checks / max(share, 1e-9)))
    while high > 1:
        if checks is not None:  # the versions left to look at, at the share holding the words
            width = min(width, max(1, math.ceil(checks / max(share, 1e-9)) - walked))
        low = max(1, high - width)
        rows += read(low, high, bound + 1 - len(rows))
        walked += high - low
        high = low
        if len(rows) > bound:
            return Walked(rows[: bound + 1], True)
        if checks is not None and walked * share >= checks and high > 1:
            return Walked(rows, False)
        found = len(rows) / walked  # the share of versions that matched so far
        wanted = _width(bound + 1 - len(rows), found, bound) if found > 0 else width * GROWTH
        width = min(max(wanted, width), width * GROWTH)
    return Walked(rows, True)


def _width(wanted: int, share: float, bound: int) -> int:
    return max(bound, math.ceil(MARGIN * wanted / max(share, 1e-9)))
