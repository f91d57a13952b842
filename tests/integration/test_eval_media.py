"""The media scorer over the shared corpus's PDFs and photos: what is read out of them holds its floors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import scorer_report, shared_path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = shared_path("corpus")
SCRIPT = ROOT / "scripts" / "eval_media"
# Floors from what the readers measure here (1.0 on every field of the 15 PDFs and the 25 photos), at the
# issue's targets for files from sources never seen: creators F1 0.95; copyright, title, creation time and
# C2PA validity 0.9; C2PA presence always right.
FLOORS = {
    ("pdf", "creators_f1"): 0.95,
    ("pdf", "title_exact"): 0.9,
    ("pdf", "created_exact"): 0.9,
    ("pdf", "c2pa_present_exact"): 1.0,
    ("pdf", "c2pa_valid_exact"): 0.9,
    ("image", "creators_f1"): 0.95,
    ("image", "c2pa_present_exact"): 1.0,
    ("image", "c2pa_valid_exact"): 0.9,
    ("image", "credit_line_exact"): 0.9,
    ("image", "copyright_exact"): 0.9,
    ("image", "caption_exact"): 0.9,
    ("image", "title_exact"): 0.9,
    ("image", "created_exact"): 0.9,
}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return scorer_report(SCRIPT, CORPUS)


def test_every_file_is_scored(report: dict[str, Any]) -> None:
    assert (report["pdfs"], report["images"]) == (15, 25)


@pytest.mark.parametrize(("kind_field", "floor"), sorted(FLOORS.items()))
def test_fields_hold_their_floor(report: dict[str, Any], kind_field: tuple[str, str], floor: float) -> None:
    kind, field = kind_field
    assert report["figures"][kind][field] >= floor, report["misses"]


@pytest.mark.parametrize("kind", ["pdf", "image"])
def test_nobody_who_must_not_be_credited_is(report: dict[str, Any], kind: str) -> None:
    assert report["figures"][kind]["must_not_credit_credited"] == 0
