"""A document as one OCFL 1.1 object (ocfl.io/1.1/spec): a version directory per archive version.

The logical state of version n holds `content/<filename>` (the archived bytes), `metadata.json` (the version
as the API gives it, credits, evidence and notices included, with what its archivist supplied and its
BLAKE3, which OCFL does not register as a digest algorithm), `receipt.json` (its receipt from the log) and,
when the archive made one, `derived/preview.jpg`. The inventory's digests are SHA-512, its fixity block
SHA-256 (the digest the archive recorded at upload); bytes a version shares with an earlier one are stored
once, in the version that first had them. Each version's message is its note and its notices, its user
the archivist who archived it. As OCFL asks, content is written first and the inventories last, a copy of
each in its version's directory, the root one that of the head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive.db.models import Blob, Version
from archive.ledger import rfc3339_utc
from archive.services.export_files import ExportRendering, bag_filename, copy_blob
from archive.services.log import receipt_for
from archive.services.unit_of_work import UnitOfWork

OCFL_VERSION = "1.1"
INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
CONTENT_DIRECTORY = "content"
INVENTORY = "inventory.json"


def object_id(document_id: str) -> str:
    """The OCFL object's id: a URI naming the archive's document."""
    return f"urn:archive:document:{document_id}"


def user_address(archivist: str) -> str:
    """A URI for the archivist (OCFL asks for one beside the name): the archive's key name."""
    return f"urn:archive:key:{archivist}"


class _Object:
    """The object being written: its root folder and its inventory as it grows, version by version."""

    def __init__(self, root: Path, document_id: str) -> None:
        self.root = root
        self.manifest: dict[str, list[str]] = {}
        self.fixity: dict[str, list[str]] = {}
        self.versions: dict[str, dict[str, Any]] = {}
        self.by_blob: dict[str, str] = {}  # BLAKE3 -> SHA-512 of bytes already in the object
        self.id = object_id(document_id)

    def add_blob(self, store_copy: Blob, version_name: str, logical: str, uow: UnitOfWork) -> str:
        known = self.by_blob.get(store_copy.blake3)
        if known is not None:
            return known
        target = self._content_path(version_name, logical)
        digests = copy_blob(uow.store, store_copy, target)
        self._record(digests.sha512, digests.sha256, target)
        self.by_blob[store_copy.blake3] = digests.sha512
        return digests.sha512

    def add_bytes(self, data: bytes, version_name: str, logical: str) -> str:
        sha512 = hashlib.sha512(data).hexdigest()
        if sha512 not in self.manifest:
            target = self._content_path(version_name, logical)
            target.write_bytes(data)
            self._record(sha512, hashlib.sha256(data).hexdigest(), target)
        return sha512

    def _content_path(self, version_name: str, logical: str) -> Path:
        target = self.root / version_name / CONTENT_DIRECTORY / logical
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _record(self, sha512: str, sha256: str, target: Path) -> None:
        path = target.relative_to(self.root).as_posix()
        self.manifest.setdefault(sha512, []).append(path)
        self.fixity.setdefault(sha256, []).append(path)

    def inventory(self, head: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": INVENTORY_TYPE,
            "digestAlgorithm": "sha512",
            "head": head,
            "contentDirectory": CONTENT_DIRECTORY,
            "fixity": {"sha256": self.fixity},
            "manifest": self.manifest,
            "versions": self.versions,
        }

    def write_inventory(self, folder: Path, head: str) -> None:
        """The inventory, and its sidecar holding its SHA-512."""
        data = (
            json.dumps(self.inventory(head), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode()
        (folder / INVENTORY).write_bytes(data)
        (folder / f"{INVENTORY}.sha512").write_text(f"{hashlib.sha512(data).hexdigest()} {INVENTORY}\n")


def write_ocfl_object(
    uow: UnitOfWork, root: Path, versions: Sequence[Version], *, rendering: ExportRendering
) -> None:
    """Write the OCFL object of the document whose `versions` these are into the empty folder `root`."""
    ocfl = _Object(root, root.name)
    (root / f"0=ocfl_object_{OCFL_VERSION}").write_text(f"ocfl_object_{OCFL_VERSION}\n")
    for version in versions:
        name = f"v{version.number}"
        state: dict[str, list[str]] = {}
        for logical, digest in _version_files(uow, ocfl, version, name, rendering):
            state.setdefault(digest, []).append(logical)
        ocfl.versions[name] = {
            "created": rfc3339_utc(version.archived_at),
            "message": version_message(version),
            "state": state,
            "user": {"name": version.archived_by, "address": user_address(version.archived_by)},
        }
        (root / name).mkdir(exist_ok=True)
        ocfl.write_inventory(root / name, name)
    ocfl.write_inventory(root, f"v{versions[-1].number}")


def _version_files(
    uow: UnitOfWork, ocfl: _Object, version: Version, name: str, rendering: ExportRendering
) -> list[tuple[str, str]]:
    """(logical path, SHA-512) of each file of the version, its content written unless stored already."""
    content = f"content/{bag_filename(version.filename, version.blob.blake3)}"
    files = [(content, ocfl.add_blob(version.blob, name, content, uow))]
    files.append(("metadata.json", ocfl.add_bytes(rendering.metadata_json(version), name, "metadata.json")))
    if version.log_index is not None:
        receipt = rendering.receipt_json(receipt_for(uow, version))
        files.append(("receipt.json", ocfl.add_bytes(receipt, name, "receipt.json")))
    if version.preview is not None:
        files.append(
            ("derived/preview.jpg", ocfl.add_blob(version.preview, name, "derived/preview.jpg", uow))
        )
    return files


def version_message(version: Version) -> str:
    """The version's note and its update notices, one a line (what changed, as it was said)."""
    lines = [version.note, *(notice.text for notice in version.notices)]
    said = "\n".join(line for line in lines if line)
    return said or f"version {version.number} of document {version.document_id}"
