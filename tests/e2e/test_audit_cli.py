"""`archive audit --json` as a script drives it: one JSON object on stdout, the exit code the verdict."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import embedded_deployment
from tests.e2e.server import run_archive
from tests.integration.test_fixity import corrupt_stored_blob, put_blob

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def audit_json(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run `archive audit --json`; its exit code, its stdout parsed (which must be JSON alone), its stderr."""
    result = run_archive(tmp_path, "audit", "--json", *args)
    return result.returncode, json.loads(result.stdout), result.stderr


def test_audit_json_reports_a_clean_archive_and_exits_0(tmp_path: Path) -> None:
    deployed = embedded_deployment(tmp_path)
    for n in range(3):
        put_blob(deployed, f"audited as JSON {n}".encode())
    deployed.db.dispose()

    code, report, stderr = audit_json(tmp_path)
    assert code == 0, stderr
    assert stderr == "", "no progress bar, no table"
    assert (report["status"], report["total"], report["failed"], report["failures"]) == ("done", 3, 0, [])
    assert report["counts"] == {"ok": 3, "corrupt": 0, "missing": 0, "pending": 0, "purged": 0}
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", report["id"])
    assert report["requested_by"].startswith("cli")
    assert ISO_UTC.fullmatch(report["started_at"]) and ISO_UTC.fullmatch(report["finished_at"])
    assert report["finished_at"] >= report["started_at"]
    assert report["run"]["checked"] == 3
    assert report["run"]["bytes_checked"] == sum(len(f"audited as JSON {n}") for n in range(3))
    assert report["run"]["seconds"] >= 0


def test_audit_json_counts_what_was_planted_and_exits_1(tmp_path: Path) -> None:
    deployed = embedded_deployment(tmp_path)
    blobs = [put_blob(deployed, f"planted blob {n}".encode()) for n in range(6)]
    empty = put_blob(deployed, b"")
    corrupted, deleted = blobs[1], blobs[4]
    corrupt_stored_blob(deployed, corrupted.blake3, b"planted rot")
    deployed.store.delete(deleted.blake3)
    deployed.db.dispose()

    code, report, stderr = audit_json(tmp_path, "--batch", "2", "--workers", "3")
    assert code == 1
    assert stderr.count("\n") == 1, stderr
    assert "2 of 7 blobs failed fixity (1 corrupt, 1 missing)" in stderr
    assert report["status"] == "done"
    assert report["total"] == 7
    assert report["counts"] == {"ok": 5, "corrupt": 1, "missing": 1, "pending": 0, "purged": 0}
    assert report["failed"] == 2
    assert {(f["blake3"], f["status"]) for f in report["failures"]} == {
        (corrupted.blake3, "corrupt"),
        (deleted.blake3, "missing"),
    }
    assert all(
        isinstance(f["log_index"], int) and ISO_UTC.fullmatch(f["checked_at"]) for f in report["failures"]
    )
    assert report["run"]["checked"] == 7
    assert empty.blake3 not in {f["blake3"] for f in report["failures"]}, "an empty blob is a good blob"

    # Joining the finished audit checks nothing more and reports the same verdict.
    code, joined, _ = audit_json(tmp_path, "--audit", report["id"])
    assert code == 1
    assert (joined["id"], joined["counts"], joined["failures"]) == (
        report["id"],
        report["counts"],
        report["failures"],
    )
    assert joined["run"]["checked"] == 0


def test_audit_json_with_an_unknown_audit_fails_on_stderr_only(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    result = run_archive(tmp_path, "audit", "--json", "--audit", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no audit with id" in result.stderr
