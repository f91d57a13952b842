"""Exporting a document as a BagIt (RFC 8493) bag in a zip, for other preservation systems to take in (or,
as `archive.services.ocfl_export` writes it, as an OCFL object).

The bag holds one directory per version under `data/versions/<n>/`: the exact archived bytes in `content/`,
the version's JSON, when the version is in the log its receipt, and when the archive made a preview of it,
that derived image in `derived/preview.jpg` (made by the archive, not part of what it received; the bag's
manifests hold its digests as they hold every file's). bagit-python writes the manifests
(SHA-256 and SHA-512, as RFC 8493 §2.4 asks creators to support) and the tag manifests; the bag is built in
a temporary folder, blobs streamed into it from storage, zipped, and the folder removed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import bagit

from archive.db.models import Blob, Version
from archive.digests import CHUNK_SIZE
from archive.errors import ArchiveError, StoredBlobCorrupt
from archive.services.documents import get_document, list_versions
from archive.services.export_files import ExportRendering, bag_filename, copy_blob, zip_folder
from archive.services.log import receipt_for
from archive.services.ocfl_export import write_ocfl_object
from archive.services.signing_keys import key_history
from archive.services.unit_of_work import UnitOfWork

ExportFormat = Literal["bagit", "ocfl"]

MANIFEST_ALGORITHMS = ("sha256", "sha512")
PAYLOAD_FOLDER = "data"  # where bagit.make_bag moves what the bag folder held

# bagit.make_bag changes the process's working directory while it works. In a server, every other thread
# would then resolve relative paths (the SQLite file, the blob folder, the signing key) inside the bag, so
# the bag is made in a child process, isolated (-I) so that nothing in the working directory is imported.
# bagit-python declares BagIt 0.97 whatever it writes; the bag is RFC 8493's 1.0 (the same layout and
# manifests), so the declaration is rewritten and the tag manifests, which cover bagit.txt, saved again.
_BAGIT_1_0 = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_MAKE_BAG = (
    "import bagit, json, pathlib, sys; "
    "bag = bagit.make_bag(sys.argv[1], json.loads(sys.argv[2]), checksums=json.loads(sys.argv[3])); "
    f"pathlib.Path(sys.argv[1], 'bagit.txt').write_text({_BAGIT_1_0!r}, encoding='utf-8'); "
    "bagit.Bag(sys.argv[1]).save()"
)


class ExportFailed(ArchiveError):
    title = "Export failed"


class ExportUnwritable(ArchiveError):
    title = "Export destination not writable"

    def __init__(self, path: Path, reason: OSError) -> None:
        super().__init__(f"cannot write {path}: {reason.strerror or reason}", path=str(path))


@dataclass(frozen=True)
class ExportSummary:
    document_id: str
    versions: int
    zip_size: int


@dataclass
class SpooledExport:
    """A finished zip in an anonymous temporary file: nothing of it stays on disk once it is closed."""

    file: IO[bytes]
    summary: ExportSummary

    def chunks(self) -> Iterator[bytes]:
        """The zip's bytes from the start, in fixed-size chunks; the file is closed when they run out."""
        try:
            self.file.seek(0)
            while chunk := self.file.read(CHUNK_SIZE):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()


def export_document(
    uow: UnitOfWork,
    document_id: str,
    destination: IO[bytes],
    *,
    rendering: ExportRendering,
    work_dir: Path | None = None,
    form: ExportFormat = "bagit",
) -> ExportSummary:
    """Write the document, zipped, to `destination`: one folder `<id>/` holding its BagIt bag or (`form`
    "ocfl") its OCFL object."""
    document = get_document(uow, document_id).document
    versions = list_versions(uow, document.id)
    _ensure_folder(work_dir)
    with tempfile.TemporaryDirectory(prefix="archive-export-", dir=work_dir) as scratch:
        folder = Path(scratch) / document.id
        folder.mkdir()
        if form == "ocfl":
            write_ocfl_object(uow, folder, versions, rendering=rendering)
        else:
            _write_bag(uow, folder, versions, rendering=rendering)
        start = destination.tell()
        zip_folder(folder, destination)
        zip_size = destination.tell() - start
    return ExportSummary(document_id=document.id, versions=len(versions), zip_size=zip_size)


def _write_bag(
    uow: UnitOfWork, bag_dir: Path, versions: Sequence[Version], *, rendering: ExportRendering
) -> None:
    archived: dict[str, Blob] = {}
    for version in versions:
        for path, blob in _write_version(uow, version, bag_dir, rendering=rendering):
            archived[f"{PAYLOAD_FOLDER}/{path}"] = blob
    # The log's public keys (one a line, oldest first: one unless the key was rotated), so that the receipts
    # can be checked with nothing but the bag (bagging moves it into the payload, beside the versions).
    vkeys = "".join(f"{key.vkey}\n" for key in key_history(uow))
    (bag_dir / "log.vkey").write_text(vkeys, encoding="utf-8")
    _make_bag(bag_dir, _bag_info(bag_dir.name, uow.signer.origin, len(versions)))
    _require_recorded_digests(bag_dir, archived)


def export_to_spool(
    uow: UnitOfWork,
    document_id: str,
    *,
    rendering: ExportRendering,
    work_dir: Path | None = None,
    form: ExportFormat = "bagit",
) -> SpooledExport:
    """The zip in an anonymous temporary file, ready to be sent; the caller closes it."""
    _ensure_folder(work_dir)
    spool = tempfile.TemporaryFile(prefix="archive-export-", suffix=".zip", dir=work_dir)  # noqa: SIM115  (the caller's)
    try:
        summary = export_document(uow, document_id, spool, rendering=rendering, work_dir=work_dir, form=form)
    except BaseException:
        spool.close()
        raise
    return SpooledExport(spool, summary)


def export_to_file(
    uow: UnitOfWork,
    document_id: str,
    path: Path,
    *,
    rendering: ExportRendering,
    work_dir: Path | None = None,
    form: ExportFormat = "bagit",
) -> ExportSummary:
    """Write the zip to `path`, whole or not at all: it is written beside it and renamed into place."""
    get_document(uow, document_id)  # an unknown id fails before anything touches the path
    try:
        partial = tempfile.NamedTemporaryFile(  # noqa: SIM115  (kept past this block, to be renamed)
            prefix=f".{path.name}.", suffix=".partial", dir=path.parent, delete=False
        )
    except OSError as exc:
        raise ExportUnwritable(path, exc) from exc
    try:
        with partial:
            summary = export_document(
                uow, document_id, partial, rendering=rendering, work_dir=work_dir, form=form
            )
            partial.flush()
            os.fsync(partial.fileno())
        Path(partial.name).replace(path)
    except OSError as exc:
        Path(partial.name).unlink(missing_ok=True)
        raise ExportUnwritable(path, exc) from exc
    except BaseException:
        Path(partial.name).unlink(missing_ok=True)
        raise
    return summary


def _ensure_folder(folder: Path | None) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)


def _write_version(
    uow: UnitOfWork, version: Version, bag_dir: Path, *, rendering: ExportRendering
) -> list[tuple[str, Blob]]:
    """The version's folder; the bag-relative paths of its bytes (and of its preview, a derived blob kept
    apart in `derived/`), each with the blob it must match."""
    folder = bag_dir / "versions" / str(version.number)
    content = folder / "content" / bag_filename(version.filename, version.blob.blake3)
    content.parent.mkdir(parents=True)
    copy_blob(uow.store, version.blob, content)
    written = [(content.relative_to(bag_dir).as_posix(), version.blob)]
    if version.preview is not None:
        preview = folder / "derived" / "preview.jpg"
        preview.parent.mkdir()
        copy_blob(uow.store, version.preview, preview)
        written.append((preview.relative_to(bag_dir).as_posix(), version.preview))
    (folder / "version.json").write_bytes(rendering.version_json(version))
    if version.log_index is not None:
        (folder / "receipt.json").write_bytes(rendering.receipt_json(receipt_for(uow, version)))
    return written


def _bag_info(document_id: str, log_origin: str, version_count: int) -> dict[str, str]:
    return {
        "External-Identifier": document_id,
        "External-Description": (
            f"Document {document_id}: {version_count} version(s), each with its exact archived bytes, its "
            "metadata (version.json), its receipt from the archive's verifiable log (receipt.json) and, for "
            "photos and PDFs, a preview the archive made (derived/preview.jpg); data/log.vkey is the log's "
            "verifier key."
        ),
        "Source-Organization": log_origin,
        "Archive-Log-Origin": log_origin,
        "Bagging-Date": datetime.now(UTC).date().isoformat(),
    }


def _make_bag(bag_dir: Path, info: dict[str, str]) -> None:
    """Turn the folder into a bag in place: its contents move under `data/`, manifests are written."""
    command = [
        sys.executable,
        "-I",
        "-c",
        _MAKE_BAG,
        str(bag_dir),
        json.dumps(info),
        json.dumps(MANIFEST_ALGORITHMS),
    ]
    made = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  (no shell)
    if made.returncode != 0:
        reason = made.stderr.strip().splitlines()[-1:] or [f"exit status {made.returncode}"]
        raise ExportFailed(f"bagit could not make the bag: {reason[0]}")


def _require_recorded_digests(bag_dir: Path, archived: dict[str, Blob]) -> None:
    """The bag's own manifest must give each content file the SHA-256 recorded when it was archived, so a
    blob that changed in storage is refused here rather than sealed into a bag that validates."""
    bag: Any = bagit.Bag(str(bag_dir))
    try:
        bag.validate(fast=True)  # structure, bagit.txt and Payload-Oxum, without hashing again
    except bagit.BagError as exc:
        raise ExportFailed(f"bagit made an invalid bag: {exc}") from exc
    entries: dict[str, dict[str, str]] = bag.payload_entries()
    for path, blob in archived.items():
        found = entries[path]["sha256"]
        if found != blob.sha256:
            raise StoredBlobCorrupt(blob.blake3, "corrupt", expected_sha256=blob.sha256, found_sha256=found)
