"""The newest matches read slice by slice: the same rows as one read of everything, in a few slices when the
estimate of their share is right or far off, and a phrase's checks bounded."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from archive.search.slices import newest_matches


class Archive:
    """Versions 1..top, some matching; each read records the slice it asked for."""

    def __init__(self, top: int, matching: set[int]) -> None:
        self.top = top
        self.matching = sorted(matching, reverse=True)
        self.reads: list[tuple[int, int]] = []

    def read(self, low: int, high: int, limit: int) -> Sequence[int]:
        self.reads.append((low, high))
        return [v for v in self.matching if low <= v < high][:limit]

    @property
    def looked_at(self) -> int:
        return sum(high - low for low, high in self.reads)


@pytest.mark.parametrize("share", [0.9, 0.05, 0.001, 0.00001])
@pytest.mark.parametrize("estimate_off_by", [1.0, 30.0, 1 / 30])
def test_the_newest_matches_whatever_their_share_and_the_estimate(
    share: float, estimate_off_by: float
) -> None:
    rng = random.Random(share)
    archive = Archive(200_000, {v for v in range(1, 200_001) if rng.random() < share})
    walked = newest_matches(archive.read, top=archive.top, share=share * estimate_off_by, bound=100)

    assert walked.rows == archive.matching[:101]
    assert walked.complete
    assert len(archive.reads) <= 6
    if estimate_off_by == 1.0 and len(archive.matching) > 101:  # no more looked at than the matches need
        assert archive.looked_at <= 3 * (archive.top - archive.matching[100])


def test_slices_meet_end_to_end_newest_first() -> None:
    archive = Archive(10_000, set(range(1, 10_001, 97)))
    newest_matches(archive.read, top=archive.top, share=0.5, bound=1_000)

    assert archive.reads[0][1] == 10_001
    assert [high for _, high in archive.reads[1:]] == [low for low, _ in archive.reads[:-1]]
    assert archive.reads[-1][0] == 1


def test_a_phrase_stops_after_its_checks_and_says_so() -> None:
    archive = Archive(100_000, set(range(1, 100_001, 5_000)))  # the words in half, the phrase in few
    walked = newest_matches(archive.read, top=archive.top, share=0.5, bound=100, checks=2_000)

    assert not walked.complete
    assert walked.rows == archive.matching[: len(walked.rows)]
    assert archive.looked_at * 0.5 <= 2_000 + 1


def test_a_phrase_s_checks_are_read_in_one_slice() -> None:
    archive = Archive(100_000, set(range(1, 100_001, 500)))  # the words in half, the phrase in 200
    walked = newest_matches(archive.read, top=archive.top, share=0.5, bound=100, checks=10_000)

    assert archive.reads == [(80_001, 100_001)]  # 10,000 checks at a share of 0.5: 20,000 versions
    assert walked.rows == archive.matching[:40] and not walked.complete


def test_a_phrase_found_within_its_checks_is_complete() -> None:
    archive = Archive(1_000, {10, 500})
    walked = newest_matches(archive.read, top=archive.top, share=0.5, bound=100, checks=2_000)

    assert walked.complete
    assert walked.rows == [500, 10]


def test_an_empty_index() -> None:
    archive = Archive(0, set())
    assert newest_matches(archive.read, top=0, share=0.0, bound=10).rows == []
