"""Importing a document from an OCFL 1.1 object in a zip (as `archive.services.ocfl_export` writes it): each
version's bytes and the metadata its archivist supplied, archived again as that document's versions.

Nothing is trusted before it checks out: the inventory against its sidecar's SHA-512, every file the
manifest names against its SHA-512 (and the fixity block's SHA-256), each version's bytes against the
BLAKE3 and SHA-256 its `metadata.json` records. Only files the inventory names are read, by name, from the
zip (nothing is extracted), and each is bounded. Then every version's bytes are stored and read out, and
all the versions are recorded in one transaction: the import lands whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, cast

from pydantic import ValidationError

from archive.digests import SpooledUpload, read_chunks, spool_stream
from archive.errors import Conflict, InvalidInput
from archive.extract.model import Extraction
from archive.services.ingest import Upload, prepare_upload, record_upload
from archive.services.metadata import SuppliedMetadata
from archive.services.ocfl_export import INVENTORY, INVENTORY_TYPE
from archive.services.unit_of_work import UnitOfWork

MAX_JSON_BYTES = 16 * 1024 * 1024
_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
_VERSION = re.compile(r"v[1-9][0-9]*")


class InvalidPackage(InvalidInput):
    title = "Invalid OCFL object"


class DocumentExists(Conflict):
    title = "Document already archived"


@dataclass(frozen=True)
class ImportSummary:
    """The document imported, how many versions were archived again, and how many were not because they
    repeat their predecessor's bytes and supplied metadata (a re-extraction's versions)."""

    document_id: str
    versions: int
    repeated: int = 0


@dataclass(frozen=True)
class _Object:
    """An OCFL object inside a zip: its folder in the zip and its checked inventory."""

    bundle: zipfile.ZipFile
    prefix: str
    inventory: dict[str, Any]

    def open(self, content_path: str) -> BinaryIO:
        # A zip member reads as any binary file does (zipfile types it as the wider IO[bytes]).
        return cast(BinaryIO, self.bundle.open(self.prefix + content_path))

    def content_path(self, version: str, logical: str) -> str:
        """Where the file a version's state names `logical` is stored."""
        for digest, paths in self.inventory["versions"][version]["state"].items():
            if logical in paths:
                return str(self.inventory["manifest"][digest][0])
        raise InvalidPackage(f"version {version} of the object has no {logical}")

    def json(self, version: str, logical: str) -> dict[str, Any]:
        with self.open(self.content_path(version, logical)) as stream:
            data = stream.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise InvalidPackage(f"{version}/{logical} is larger than {MAX_JSON_BYTES} bytes")
        try:
            value = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidPackage(f"{version}/{logical} is not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise InvalidPackage(f"{version}/{logical} is not a JSON object")
        return value


def import_ocfl(uow: UnitOfWork, source: Path, *, actor: str, max_bytes: int) -> ImportSummary:
    """Archive the document of the OCFL object in the zip at `source` again, version by version, under its
    id; a document of that id (or source URL) already here is a conflict, and nothing is imported."""
    try:
        bundle = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidPackage(f"{source} is not a zip file: {exc}") from None
    with bundle, ExitStack() as spooled:
        ocfl = _read_object(bundle, max_bytes)
        names = sorted(ocfl.inventory["versions"], key=lambda name: int(name[1:]))
        metadata = [ocfl.json(name, "metadata.json") for name in names]
        document_id = _document_id(metadata)
        _require_new(uow, document_id, metadata[0])
        prepared: list[tuple[Upload, Extraction]] = []
        for number, (name, described) in enumerate(zip(names, metadata, strict=True), start=1):
            file = _spool(uow, ocfl, name, described, max_bytes)
            spooled.callback(file.discard)
            upload = _upload(file, described, actor, document_id, first=number == 1)
            prepared.append((upload, prepare_upload(uow, upload)))
        with uow.writing():
            created = [record_upload(uow, upload, extraction).created for upload, extraction in prepared]
    return ImportSummary(document_id, sum(created), len(created) - sum(created))


def _read_object(bundle: zipfile.ZipFile, max_bytes: int) -> _Object:
    roots = [
        n.removesuffix("0=ocfl_object_1.1") for n in bundle.namelist() if n.endswith("0=ocfl_object_1.1")
    ]
    if len(roots) != 1 or (roots[0] and not roots[0].endswith("/")) or roots[0].count("/") > 1:
        raise InvalidPackage(
            "the zip holds no OCFL 1.1 object (a `0=ocfl_object_1.1` at its top or in one folder)"
        )
    prefix = roots[0]
    raw = _read_bounded(bundle, prefix + INVENTORY)
    sidecar = _read_bounded(bundle, f"{prefix}{INVENTORY}.sha512").decode("ascii", "replace").split()
    if not sidecar or sidecar[0] != hashlib.sha512(raw).hexdigest():
        raise InvalidPackage("the inventory does not match the SHA-512 in its sidecar")
    inventory = _check_inventory(raw)
    ocfl = _Object(bundle, prefix, inventory)
    _check_content(ocfl, max_bytes)
    return ocfl


def _read_bounded(bundle: zipfile.ZipFile, name: str) -> bytes:
    try:
        with bundle.open(name) as stream:
            data = stream.read(MAX_JSON_BYTES + 1)
    except KeyError:
        raise InvalidPackage(f"the object has no {name}") from None
    if len(data) > MAX_JSON_BYTES:
        raise InvalidPackage(f"{name} is larger than {MAX_JSON_BYTES} bytes")
    return data


def _check_inventory(raw: bytes) -> dict[str, Any]:
    try:
        inventory = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidPackage(f"the inventory is not JSON: {exc}") from None
    if not isinstance(inventory, dict) or inventory.get("type") != INVENTORY_TYPE:
        raise InvalidPackage("the inventory is not an OCFL 1.1 inventory")
    if inventory.get("digestAlgorithm") != "sha512":
        raise InvalidPackage("the inventory's digests must be SHA-512")
    versions, manifest = inventory.get("versions"), inventory.get("manifest")
    if not isinstance(versions, dict) or not isinstance(manifest, dict) or not versions:
        raise InvalidPackage("the inventory lacks its versions or its manifest")
    expected = [f"v{n}" for n in range(1, len(versions) + 1)]
    if sorted(versions, key=lambda v: int(v[1:]) if _VERSION.fullmatch(v) else 0) != expected:
        raise InvalidPackage("the object's versions must be v1, v2, … without gaps or zero padding")
    if inventory.get("head") != expected[-1]:
        raise InvalidPackage("the inventory's head is not its last version")
    for name in expected:
        state = versions[name].get("state") if isinstance(versions[name], dict) else None
        if not isinstance(state, dict) or any(digest not in manifest for digest in state):
            raise InvalidPackage(f"version {name} names content the manifest does not hold")
    return inventory


def _check_content(ocfl: _Object, max_bytes: int) -> None:
    """Every file the manifest names is in the zip, under the object, and has its SHA-512 (and the
    fixity block's SHA-256)."""
    sha256_of = {
        path: digest
        for digest, paths in ocfl.inventory.get("fixity", {}).get("sha256", {}).items()
        for path in paths
    }
    for digest, paths in ocfl.inventory["manifest"].items():
        for path in paths:
            if (
                not isinstance(path, str)
                or path.startswith("/")
                or "\\" in path
                or ".." in PurePosixPath(path).parts
            ):
                raise InvalidPackage(f"the manifest names a path outside the object: {path!r}")
            found512, found256 = _digests(ocfl, path, max_bytes)
            if found512 != digest or sha256_of.get(path, found256) != found256:
                raise InvalidPackage(f"{path} does not have the digest the inventory records", path=path)


def _digests(ocfl: _Object, path: str, max_bytes: int) -> tuple[str, str]:
    sha512, sha256 = hashlib.sha512(), hashlib.sha256()
    size = 0
    try:
        with ocfl.open(path) as stream:
            for chunk in read_chunks(stream):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidPackage(f"{path} is larger than {max_bytes} bytes")
                sha512.update(chunk)
                sha256.update(chunk)
    except KeyError:
        raise InvalidPackage(f"the object lacks {path}, which its manifest names") from None
    return sha512.hexdigest(), sha256.hexdigest()


def _document_id(metadata: list[dict[str, Any]]) -> str:
    ids = {described.get("document_id") for described in metadata}
    (document_id,) = ids if len(ids) == 1 else (None,)
    if not isinstance(document_id, str) or not _ULID.fullmatch(document_id):
        raise InvalidPackage("the versions' metadata.json do not name one document id")
    return document_id


def _require_new(uow: UnitOfWork, document_id: str, first: dict[str, Any]) -> None:
    source_url = first.get("source_url")
    with uow.reading():
        if uow.documents.get(document_id) is not None:
            raise DocumentExists(f"document {document_id} is already archived here", document_id=document_id)
        if isinstance(source_url, str) and uow.documents.by_source_url(source_url) is not None:
            raise DocumentExists(
                f"a document of {source_url} is already archived here", source_url=source_url
            )


def _spool(
    uow: UnitOfWork, ocfl: _Object, name: str, described: dict[str, Any], max_bytes: int
) -> SpooledUpload:
    """The version's bytes, spooled, once they hash to the BLAKE3 and SHA-256 its metadata records."""
    content = [
        p
        for paths in ocfl.inventory["versions"][name]["state"].values()
        for p in paths
        if p.startswith("content/")
    ]
    if len(content) != 1:
        raise InvalidPackage(f"version {name} must hold exactly one file under content/")
    with ocfl.open(ocfl.content_path(name, content[0])) as stream:
        spooled = spool_stream(stream, uow.spool_dir, max_bytes)
    digests = spooled.digests
    if (digests.blake3, digests.sha256) != (described.get("blake3"), described.get("sha256")):
        spooled.discard()
        raise InvalidPackage(f"the bytes of {name} are not the ones its metadata.json records")
    return spooled


def _upload(
    file: SpooledUpload, described: dict[str, Any], actor: str, document_id: str, *, first: bool
) -> Upload:
    try:
        supplied = SuppliedMetadata.model_validate(described.get("supplied") or {})
    except ValidationError as exc:
        raise InvalidPackage(
            f"a version's supplied metadata is not valid: {exc.errors()[0]['msg']}"
        ) from None
    media_type = described.get("media_type")
    if not isinstance(media_type, str):
        raise InvalidPackage("a version's metadata.json has no media_type")
    filename = described.get("filename")
    return Upload(
        file,
        media_type,
        filename if isinstance(filename, str) else None,
        supplied,
        actor,
        document_id=None if first else document_id,
        create_as=document_id if first else None,
    )
