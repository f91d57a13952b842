"""The media scorer over the shared corpus's PDFs: what is read out of them holds at its floors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = shared_path("corpus")
SCRIPT = ROOT / "scripts" / "eval_media"
# Floors from what this reader measures on the files (all 1.0 on the 15 PDFs); the figures on files from
# unseen sources are the targets: creators F1 >= 0.95, title and creation time >= 0.9.
FLOORS = {"creators_f1": 0.95, "title_exact": 0.9, "created_exact": 0.9}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--corpus", str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def test_every_pdf_is_scored(report: dict[str, Any]) -> None:
    assert report["files"] == 15


@pytest.mark.parametrize(("field", "floor"), sorted(FLOORS.items()))
def test_pdf_fields_hold_their_floor(report: dict[str, Any], field: str, floor: float) -> None:
    assert report["figures"][field] >= floor, report["misses"]


def test_nobody_who_must_not_be_credited_is(report: dict[str, Any]) -> None:
    assert report["figures"]["must_not_credit_credited"] == 0
