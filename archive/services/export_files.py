"""What every export format shares: how the files beside the bytes are rendered, safe file names, stored
bytes copied out and checked in one pass, and the zip of the finished folder."""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from archive.db.models import Blob, Version
from archive.errors import BlobNotFound, StoredBlobCorrupt
from archive.services.log import Receipt
from archive.storage import BlobStore

# Longest name most filesystems take for one path segment, in bytes.
MAX_NAME_BYTES = 255
# Besides path separators: characters Windows refuses in names, and `%`, which RFC 8493 manifests
# percent-encode but bagit-python 1.9 does not, so a name holding one could be misread by other tools.
_UNPORTABLE = str.maketrans(dict.fromkeys('<>:"|?*%', "_"))


@dataclass(frozen=True)
class ExportRendering:
    """How the files beside the bytes are written, given by the caller so that they are exactly the API's
    JSON (the wire models belong to the API layer, not to services): a version as the API gives it, its
    receipt, and (for OCFL, whose import rebuilds the versions) the version with what its archivist
    supplied."""

    version_json: Callable[[Version], bytes]
    receipt_json: Callable[[Receipt], bytes]
    metadata_json: Callable[[Version], bytes]


@dataclass(frozen=True)
class CopiedDigests:
    sha256: str
    sha512: str


def bag_filename(filename: str | None, blake3: str) -> str:
    """A name for the version's bytes that cannot leave its folder: the last path segment of the archived
    filename, without control or format characters, or else the BLAKE3 digest."""
    if not filename:
        return blake3
    segment = filename.replace("\\", "/").rsplit("/", 1)[-1]
    visible = "".join(c for c in segment if not unicodedata.category(c).startswith("C"))
    name = unicodedata.normalize("NFC", visible).translate(_UNPORTABLE).strip()
    if name in ("", ".", "..") or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return blake3
    return name


def copy_blob(store: BlobStore, blob: Blob, target: Path) -> CopiedDigests:
    """Stream the stored bytes into a new file, chunk by chunk, hashing them as they pass, and check that
    all of them came and hash as recorded. Bytes storage has lost or changed are `StoredBlobCorrupt`
    (502), as when they are served: the archive's copy is bad, which is neither the client's fault (404)
    nor a failure of the service (500)."""
    written = 0
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    try:
        with target.open("xb") as out:
            for chunk in store.read(blob.blake3):
                out.write(chunk)
                sha256.update(chunk)
                sha512.update(chunk)
                written += len(chunk)
    except BlobNotFound:
        raise StoredBlobCorrupt(blob.blake3, "missing") from None
    if written != blob.size or sha256.hexdigest() != blob.sha256:
        raise StoredBlobCorrupt(
            blob.blake3, "corrupt", expected_sha256=blob.sha256, found_sha256=sha256.hexdigest()
        )
    return CopiedDigests(sha256.hexdigest(), sha512.hexdigest())


def zip_folder(folder: Path, destination: IO[bytes]) -> None:
    """Zip `folder` as itself (members under `<folder name>/`), one file at a time from disk."""
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(folder.parent).as_posix())
