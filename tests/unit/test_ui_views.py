"""The web interface's view shaping: evidence highlighting and the side-by-side diff."""

from __future__ import annotations

import random

from archive.api.ui.forms import parse_credit_lines
from archive.api.ui.views import DiffRow, Mark, highlight, side_by_side


def test_highlight_cuts_the_text_at_each_mark_and_loses_nothing() -> None:
    text = "By Ada Lovelace and Charles Babbage. Photo: Reuters"
    ada = Mark("a", 3, 15, "Ada")
    reuters = Mark("r", 44, 51, "Reuters")
    segments = highlight(text, [reuters, ada])
    assert "".join(s.text for s in segments) == text
    marked = [(s.text, [m.anchor for m in s.marks], s.anchors) for s in segments if s.marks]
    assert marked == [("Ada Lovelace", ["a"], ["a"]), ("Reuters", ["r"], ["r"])]


def test_overlapping_marks_cover_the_shared_run_together() -> None:
    segments = highlight("abcdefgh", [Mark("x", 1, 5, "x"), Mark("y", 3, 7, "y")])
    assert [(s.text, sorted(m.anchor for m in s.marks)) for s in segments] == [
        ("a", []),
        ("bc", ["x"]),
        ("de", ["x", "y"]),
        ("fg", ["y"]),
        ("h", []),
    ]


def test_marks_outside_the_text_are_clipped_or_dropped() -> None:
    segments = highlight(
        "short", [Mark("late", 10, 20, ""), Mark("empty", 2, 2, ""), Mark("over", 3, 99, "")]
    )
    assert [(s.text, [m.anchor for m in s.marks]) for s in segments] == [("sho", []), ("rt", ["over"])]
    assert highlight("", [Mark("a", 0, 3, "")]) == []


def test_random_marks_always_rebuild_the_text() -> None:
    chooser = random.Random(7)
    for _ in range(200):
        text = "".join(chooser.choice("ab \n") for _ in range(chooser.randrange(0, 40)))
        marks = []
        for number in range(chooser.randrange(0, 5)):
            start = chooser.randrange(-3, 45)
            marks.append(Mark(f"m{number}", start, start + chooser.randrange(0, 10), ""))
        segments = highlight(text, marks)
        assert "".join(s.text for s in segments) == text
        for segment in segments:
            assert segment.text


def test_side_by_side_pairs_changes_and_folds_long_unchanged_runs() -> None:
    before = [f"line {n}" for n in range(1, 21)]
    after = [*before[:9], "line ten, edited", *before[10:], "line 21"]
    rows = side_by_side(before, after, context=2)
    kinds = [row.kind for row in rows]
    assert kinds == [
        "skip",
        "equal",
        "equal",
        "replace",
        "equal",
        "equal",
        "skip",
        "equal",
        "equal",
        "insert",
    ]
    assert rows[0] == DiffRow("skip", skipped=7)
    assert rows[3] == DiffRow("replace", 10, "line 10", 10, "line ten, edited")
    assert rows[6].skipped == 6
    assert rows[-1] == DiffRow("insert", None, None, 21, "line 21")


def test_side_by_side_of_unequal_replacements_leaves_the_short_side_blank() -> None:
    rows = side_by_side(["a", "old 1", "old 2", "z"], ["a", "new", "z"], context=5)
    assert rows[1:3] == [
        DiffRow("replace", 2, "old 1", 2, "new"),
        DiffRow("replace", 3, "old 2", None, None),
    ]
    assert rows[3] == DiffRow("equal", 4, "z", 3, "z")


def test_identical_texts_fold_into_one_run() -> None:
    assert side_by_side(["a", "b"], ["a", "b"]) == [DiffRow("skip", skipped=2)]
    assert side_by_side([], []) == []


def test_credit_lines_read_role_name_and_organisations() -> None:
    assert parse_credit_lines("author: Ada Lovelace\n\nPhoto Credit: Reuters (organization)\n") == [
        {"name": "Ada Lovelace", "role": "author", "kind": "person"},
        {"name": "Reuters", "role": "photo_credit", "kind": "organization"},
    ]
