"""A document's captures as a WACZ (Web Archive Collection Zipped, 1.1): every captured version's WARC,
packed, indexed and described by py-wacz, so that replay tools (ReplayWeb.page, pywb) open the page as it
was fetched each time. Each WARC is copied out of storage and checked against the SHA-256 recorded when
it was stored before it is packed; py-wacz runs in a child process (it prints as it works)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from archive.capture.warc import final_response
from archive.errors import NotFound
from archive.services.documents import get_document
from archive.services.export import ExportFailed, ExportSummary, SpooledExport
from archive.services.export_files import copy_blob
from archive.services.unit_of_work import SqlUnitOfWork

WACZ_MEDIA_TYPE = "application/wacz"


def export_wacz_to_spool(
    uow: SqlUnitOfWork, document_id: str, *, work_dir: Path | None = None
) -> SpooledExport:
    """The WACZ in an anonymous temporary file, ready to be sent; the caller closes it."""
    get_document(uow, document_id)
    captures = uow.captures.captures_of(document_id)
    if not captures:
        raise NotFound(
            f"document {document_id} has no captured version: a WACZ packs the WARCs of captures",
            document_id=document_id,
        )
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="archive-wacz-", dir=work_dir) as scratch:
        warcs = []
        for capture in captures:
            blob = uow.blobs.get(capture.warc_blake3 or "")
            assert blob is not None
            path = Path(scratch) / f"{document_id}-version-{capture.version}-{capture.id}.warc"
            copy_blob(uow.store, blob, path)  # checked against the recorded SHA-256 as it is copied
            warcs.append(path)
        packed = Path(scratch) / f"{document_id}.wacz"
        pages = Path(scratch) / "pages.jsonl"
        _write_pages(pages, warcs, title=f"Document {document_id}")
        _create(packed, warcs, pages)
        spool = tempfile.TemporaryFile(prefix="archive-export-", suffix=".wacz", dir=work_dir)  # noqa: SIM115
        with packed.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                spool.write(chunk)
        size = spool.tell()
    return SpooledExport(spool, ExportSummary(document_id=document_id, versions=len(captures), zip_size=size))


def _write_pages(pages: Path, warcs: list[Path], *, title: str) -> None:
    """The WACZ's page list: each capture's page (its last response) at the time it was fetched."""
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": title}]
    for warc in warcs:
        url, date = final_response(warc)
        lines.append({"url": url, "ts": date, "title": f"{url} as captured {date}"})
    pages.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def _create(output: Path, warcs: list[Path], pages: Path) -> None:
    command = [sys.executable, "-I", "-m", "wacz", "create", "--pages", str(pages), "-o", str(output)]
    command += [str(warc) for warc in warcs]
    made = subprocess.run(command, capture_output=True, text=True, check=False, cwd=output.parent)  # noqa: S603
    if made.returncode != 0 or not output.is_file():
        reason = (made.stderr.strip() or made.stdout.strip()).splitlines()[-1:] or [f"exit {made.returncode}"]
        raise ExportFailed(f"py-wacz could not pack the captures: {reason[0]}")
