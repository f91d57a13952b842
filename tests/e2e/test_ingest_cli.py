"""`archive ingest`: folders, a metadata catalogue, a summary, resuming without archiving twice."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx2
from blake3 import blake3

from tests.conftest import shared_path
from tests.e2e.server import ARCHIVE, archive_env, run_archive, serving

SEED = shared_path("corpus", "seed")


def make_collection(root: Path) -> Path:
    collection = root / "collection"
    (collection / "sub").mkdir(parents=True)
    shutil.copy(SEED / "dhs-irs-deputize.txt", collection / "dhs.txt")
    (collection / "sub" / "notes.txt").write_text("Field notes.\n")
    (collection / "sub" / "scan.bin").write_bytes(os.urandom(2000))
    return collection


def test_local_ingest_with_a_catalogue_and_a_resume(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    collection = make_collection(tmp_path)
    catalogue = collection / "catalogue.jsonl"
    catalogue.write_text(
        json.dumps(
            {
                "path": "dhs.txt",
                "source_url": "https://example.org/dhs",
                "title": "Catalogued title",
                "credits": [{"name": "Samantha Flom", "role": "author"}],
            }
        )
        + "\n"
    )
    first = run_archive(tmp_path, "ingest", str(collection), "--metadata", str(catalogue), "--json")
    assert first.returncode == 0, first.stderr
    outcomes = json.loads(first.stdout)
    assert sorted(o["status"] for o in outcomes) == ["archived"] * 4
    by_name = {Path(o["path"]).name: o for o in outcomes}

    history = json.loads(run_archive(tmp_path, "history", by_name["dhs.txt"]["document_id"], "--json").stdout)
    assert len(history["versions"]) == 1

    again = run_archive(tmp_path, "ingest", str(collection), "--metadata", str(catalogue), "--json")
    assert again.returncode == 0
    assert sorted(o["status"] for o in json.loads(again.stdout)) == ["already present"] * 4

    (tmp_path / ".archive-ingest.jsonl").unlink()  # the journal lost: the idempotency keys still hold
    resumed = run_archive(tmp_path, "ingest", str(collection), "--json")
    assert {o["document_id"] for o in json.loads(resumed.stdout)} == {o["document_id"] for o in outcomes}

    table = run_archive(tmp_path, "ingest", str(collection / "sub" / "notes.txt"))
    assert "already present" in table.stdout


def test_links_and_names_that_are_not_utf8_are_left_out_and_reported(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    collection = make_collection(tmp_path)
    secret = tmp_path / "secret.key"
    secret.write_text("the signing key, say\n")
    (collection / "sub" / "looks-harmless.txt").symlink_to(secret)
    (collection / "linked-folder").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "private.txt").write_text("private\n")
    undecodable = os.path.join(os.fsencode(collection), b"caf\xe9.txt")
    with open(undecodable, "wb") as handle:
        handle.write(b"Latin-1 name.\n")

    result = run_archive(tmp_path, "ingest", str(collection), "--json")
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    by_name = {Path(o["path"]).name: o for o in outcomes}
    assert by_name["looks-harmless.txt"]["status"] == "skipped"
    assert "--follow-links" in by_name["looks-harmless.txt"]["reason"]
    assert by_name["caf\\xe9.txt"] == {
        "path": str(collection / "caf\\xe9.txt"),
        "status": "skipped",
        "document_id": None,
        "version": None,
        "reason": "the name is not UTF-8",
    }
    assert "private.txt" not in by_name  # a linked folder is never entered
    assert sorted(o["status"] for o in outcomes) == ["archived"] * 3 + ["skipped"] * 2

    table = run_archive(tmp_path, "ingest", str(collection))
    assert table.returncode == 0
    assert "skipped: " in table.stdout and "the name is not UTF-8" in table.stdout

    followed = run_archive(
        tmp_path, "ingest", str(collection / "sub" / "looks-harmless.txt"), "--follow-links", "--json"
    )
    assert followed.returncode == 0, followed.stderr
    assert [o["status"] for o in json.loads(followed.stdout)] == ["archived"]


def test_remote_ingest_reports_failures(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "ing").stdout.strip()
    collection = make_collection(tmp_path)
    (collection / "empty.txt").write_bytes(b"")
    with serving(tmp_path) as server:
        result = run_archive(
            tmp_path, "ingest", str(collection), "--server", server.url, "--json", ARCHIVE_KEY=key
        )
    assert result.returncode == 1
    assert "1 of 4 files were not archived" in result.stderr
    outcomes = {Path(o["path"]).name: o for o in json.loads(result.stdout)}
    assert outcomes["empty.txt"]["status"] == "failed"
    assert "empty" in outcomes["empty.txt"]["reason"]
    assert all(o["status"] == "archived" for name, o in outcomes.items() if name != "empty.txt")


def test_a_bad_catalogue_is_refused_before_anything_is_archived(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    collection = make_collection(tmp_path)
    catalogue = collection / "catalogue.csv"
    catalogue.write_text('path,source_url,title,credits\ndhs.txt,not a url,T,"[]"\n')
    result = run_archive(tmp_path, "ingest", str(collection), "--metadata", str(catalogue))
    assert result.returncode == 1
    assert "source_url" in result.stderr
    assert result.stderr.count("\n") == 1, "one line"
    assert not (tmp_path / ".archive-ingest.jsonl").exists()


def test_get_writes_checked_bytes_locally_and_from_a_server(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    collection = make_collection(tmp_path)
    outcomes = json.loads(run_archive(tmp_path, "ingest", str(collection), "--json").stdout)
    dhs = next(o for o in outcomes if o["path"].endswith("dhs.txt"))
    copy = tmp_path / "copy.txt"
    fetched = run_archive(tmp_path, "get", dhs["document_id"], "-o", str(copy))
    assert fetched.returncode == 0, fetched.stderr
    assert copy.read_bytes() == (SEED / "dhs-irs-deputize.txt").read_bytes()
    to_stdout = run_archive(tmp_path, "get", dhs["document_id"], "--version", "1")
    assert to_stdout.stdout == (SEED / "dhs-irs-deputize.txt").read_text()

    key = run_archive(tmp_path, "keys", "create", "--role", "reader", "--name", "getter").stdout.strip()
    listed = json.loads(run_archive(tmp_path, "keys", "list", "--json").stdout)
    assert [k["name"] for k in listed] == ["getter"] and listed[0]["revoked_at"] is None
    with serving(tmp_path) as server:
        remote = tmp_path / "remote.txt"
        got = run_archive(
            tmp_path, "get", dhs["document_id"], "-o", str(remote), "--server", server.url, ARCHIVE_KEY=key
        )
        assert got.returncode == 0, got.stderr
        assert remote.read_bytes() == copy.read_bytes()
        missing = run_archive(
            tmp_path, "get", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--server", server.url, ARCHIVE_KEY=key
        )
        assert missing.returncode == 1
        assert missing.stderr.startswith("archive: 404")

    blob = next(
        p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and p.read_bytes() == copy.read_bytes()
    )
    blob.chmod(0o644)
    blob.write_bytes(b"X" + copy.read_bytes()[1:])
    broken = tmp_path / "broken.txt"
    refused = run_archive(tmp_path, "get", dhs["document_id"], "-o", str(broken))
    assert refused.returncode == 1
    assert not broken.exists(), "nothing partial is left"
    assert refused.stderr.count("\n") == 1


def test_an_interrupted_ingest_of_the_corpus_resumes_and_archives_each_file_once(tmp_path: Path) -> None:
    """The news corpus through a server; the first run is killed part-way (whatever it was doing: sending
    a file, or between its answer and the journal), the second finishes the job."""
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "ing").stdout.strip()
    collection = tmp_path / "news"
    collection.mkdir()
    pages = sorted(shared_path("corpus", "news").glob("*.html"))
    for page in pages:
        shutil.copy(page, collection / page.name)
    journal = tmp_path / ".archive-ingest.jsonl"
    with serving(tmp_path) as server:
        first = subprocess.Popen(
            [ARCHIVE, "ingest", str(collection), "--server", server.url, "--json"],
            cwd=tmp_path,
            env=archive_env(tmp_path, ARCHIVE_KEY=key),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while _lines(journal) < 5 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        interrupted_after = _lines(journal)
        assert 5 <= interrupted_after < len(pages), "the run was not interrupted part-way"

        second = run_archive(
            tmp_path, "ingest", str(collection), "--server", server.url, "--json", ARCHIVE_KEY=key
        )
        assert second.returncode == 0, second.stderr
        outcomes = json.loads(second.stdout)
        statuses = [o["status"] for o in outcomes]
        assert statuses.count("already present") == interrupted_after
        assert statuses.count("archived") == len(pages) - interrupted_after

        listed = []
        cursor = None
        while True:
            params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
            page = httpx2.get(
                f"{server.url}/v1/documents", params=params, headers={"Authorization": f"Bearer {key}"}
            ).json()
            listed += page["documents"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert len(listed) == len(pages), "a file was archived twice, or not at all"
    assert all(d["version_count"] == 1 for d in listed)
    assert {d["latest"]["blake3"] for d in listed} == {blake3(p.read_bytes()).hexdigest() for p in pages}
    assert {o["document_id"] for o in outcomes} == {d["id"] for d in listed}


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0
