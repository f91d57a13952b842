"""Bulk ingest of files and folders, locally or through a server, resumable after an interruption.

Each file is archived with an idempotency key made from its path and its BLAKE3, so a file that was sent
but whose answer was lost is not archived twice when the run is resumed; a journal of what was archived
lets a resumed run skip those files without sending them again.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from pydantic import ValidationError

from archive.client import ArchiveClient, ArchiveClientError
from archive.digests import Digests, digest_chunks, read_chunks
from archive.domain.media_types import infer_media_type
from archive.errors import ArchiveError, InvalidInput
from archive.services.idempotency import Once, Render, fingerprint
from archive.services.metadata import SuppliedMetadata
from archive.services.unit_of_work import UnitOfWork
from archive.services.uploads import archive_file

SIDECAR_FIELDS = ("path", "source_url", "title", "credits")


class Target(Protocol):
    """Where files are archived: this archive's database and storage, or a server."""

    def archive(
        self, source: BinaryIO, filename: str, metadata: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]: ...


@dataclass
class Outcome:
    path: str
    status: str  # archived, already present, failed, skipped
    document_id: str | None = None
    version: int | None = None
    reason: str | None = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


@dataclass(frozen=True)
class CollectedFile:
    """A regular file `collect_files` found, and which file it was (device and inode): what is read later is
    that file, or nothing (`open_collected`)."""

    path: Path
    device: int
    inode: int
    size: int


@dataclass
class Collected:
    """The files to archive, and those left out with the reason (status "skipped")."""

    files: list[CollectedFile] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)


def printable(path: Path) -> str:
    """A path as text that can always be printed and written as JSON: bytes that are not UTF-8 in its
    name shown as `\\xNN` escapes."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def collect_files(paths: Sequence[Path], *, follow_links: bool = False) -> Collected:
    """Every regular file named, or under a folder named (recursively). Symbolic links are left out unless
    `follow_links` (a link in an untrusted folder may point at anything this user can read, the signing
    key included), and so are names that are not UTF-8, which no archive field can hold; both are
    reported, and the run goes on. Folders linked to are never entered."""
    collected = Collected()

    def consider(path: Path) -> None:
        if not _utf8_name(path):
            collected.skipped.append(Outcome(printable(path), "skipped", reason="the name is not UTF-8"))
        elif path.is_symlink() and not follow_links:
            reason = "a symbolic link (archive it with --follow-links)"
            collected.skipped.append(Outcome(printable(path), "skipped", reason=reason))
        elif path.is_file():
            info = path.stat()  # of what a link points at, when links are followed
            collected.files.append(CollectedFile(path, info.st_dev, info.st_ino, info.st_size))
        elif path.is_symlink():
            collected.skipped.append(Outcome(printable(path), "skipped", reason="a link to no regular file"))

    for path in paths:
        if path.is_dir() and not (path.is_symlink() and not follow_links):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    consider(Path(root) / name)
        elif path.is_file() or path.is_symlink():
            consider(path)
        else:
            raise InvalidInput(f"{printable(path)} is neither a file nor a folder")
    return collected


def _utf8_name(path: Path) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_sidecar(sidecar: Path) -> dict[Path, dict[str, Any]]:
    """A catalogue of metadata per file: CSV (path, source_url, title, credits as JSON) or JSON Lines
    (objects with `path` and metadata fields). Paths are relative to the sidecar's folder."""
    rows: list[dict[str, Any]]
    try:
        text = sidecar.read_text(encoding="utf-8")
        if sidecar.suffix.lower() == ".csv":
            rows = [dict(row) for row in csv.DictReader(text.splitlines())]
            for row in rows:
                if row.get("credits"):
                    row["credits"] = json.loads(row["credits"])
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise InvalidInput(f"cannot read the metadata file {sidecar}: {exc}") from exc
    catalogue: dict[Path, dict[str, Any]] = {}
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row.get("path"):
            raise InvalidInput(f"{sidecar}: entry {number} has no `path`")
        metadata = {key: value for key, value in row.items() if key != "path" and value not in (None, "")}
        try:  # refuse a bad catalogue before archiving anything
            SuppliedMetadata.model_validate(metadata)
        except ValidationError as exc:
            raise InvalidInput.from_field_errors(
                f"metadata for {row['path']} in {sidecar}", exc.errors(include_url=False), "metadata"
            ) from None
        catalogue[(sidecar.parent / str(row["path"])).resolve()] = metadata
    return catalogue


class Journal:
    """One JSON line per archived file: what a resumed run skips."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, dict[str, Any]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self.done[entry["path"]] = entry

    def archived(self, path: Path, digests: Digests) -> dict[str, Any] | None:
        entry = self.done.get(str(path))
        return entry if entry is not None and entry.get("blake3") == digests.blake3 else None

    def record(self, path: Path, digests: Digests, version: dict[str, Any]) -> None:
        entry = {
            "path": str(path),
            "blake3": digests.blake3,
            "document_id": version["document_id"],
            "version": version["version"],
        }
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.done[str(path)] = entry


def idempotency_key(path: Path, digests: Digests) -> str:
    return "ingest-" + hashlib.sha256(f"{path}\0{digests.blake3}".encode()).hexdigest()


def open_collected(file: CollectedFile, *, follow_links: bool = False) -> BinaryIO:
    """The collected file, opened once for everything read of it: never through a symbolic link (unless
    links are followed), never a FIFO or device (opened without waiting, then checked), and only if it is
    still the file that was listed, so that a name swapped meanwhile (for a link to the signing key, say,
    anywhere along its path) is refused rather than read."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(file.path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidInput("it became a symbolic link after it was listed: not read") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (file.device, file.inode):
            raise InvalidInput("it is no longer the file that was listed (changed or replaced): not read")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def ingest_files(
    files: Sequence[CollectedFile],
    target: Target,
    journal: Journal,
    catalogue: dict[Path, dict[str, Any]] | None = None,
    on_file: Callable[[CollectedFile], None] | None = None,
    *,
    follow_links: bool = False,
) -> Summary:
    """Archive each file; one that fails is reported with its reason and the run goes on. Each file is
    opened once (`open_collected`) and everything is read from that one open file."""
    summary = Summary()
    for file in files:
        try:
            with open_collected(file, follow_links=follow_links) as source:
                summary.outcomes.append(_ingest_one(file, source, target, journal, catalogue or {}))
        except (ArchiveError, OSError) as exc:
            summary.outcomes.append(Outcome(printable(file.path), "failed", reason=_reason(exc)))
        if on_file is not None:
            on_file(file)
    return summary


def _ingest_one(
    file: CollectedFile,
    source: BinaryIO,
    target: Target,
    journal: Journal,
    catalogue: dict[Path, dict[str, Any]],
) -> Outcome:
    path = file.path.resolve()  # the name the journal and the catalogue know it by; not read through
    digests = digest_chunks(read_chunks(source))
    previous = journal.archived(path, digests)
    if previous is not None:
        return Outcome(printable(file.path), "already present", previous["document_id"], previous["version"])
    source.seek(0)
    version = target.archive(source, file.path.name, catalogue.get(path, {}), idempotency_key(path, digests))
    journal.record(path, digests, version)
    return Outcome(printable(file.path), "archived", version["document_id"], version["version"])


def _reason(exc: BaseException) -> str:
    return exc.detail if isinstance(exc, ArchiveError) else str(exc)


class LocalTarget:
    """This archive's own database and storage, through the same use case as the API's uploads: each
    file archived once per idempotency key, and the API's answer remembered for it."""

    def __init__(self, uow: UnitOfWork, actor: str, render: Render) -> None:
        self.uow = uow
        self.actor = actor
        self.render = render

    def archive(
        self, source: BinaryIO, filename: str, metadata: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        answer = archive_file(
            self.uow,
            source,
            filename=filename,
            media_type=infer_media_type(None, filename),
            metadata=SuppliedMetadata.model_validate(metadata),
            actor=self.actor,
            once=Once(self.actor, idempotency_key, fingerprint(idempotency_key)),
            render=self.render,
        )
        return answer.response


class RemoteTarget:
    """A server, through the Python client (`ARCHIVE_KEY` holds the key)."""

    def __init__(self, client: ArchiveClient) -> None:
        self.client = client

    def archive(
        self, source: BinaryIO, filename: str, metadata: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        try:
            return self.client.upload(
                source, filename=filename, metadata=metadata or None, idempotency_key=idempotency_key
            )
        except ArchiveClientError as exc:
            raise ArchiveError(str(exc)) from exc
