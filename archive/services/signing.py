"""The log's identity: its origin line and the Ed25519 key that signs its checkpoints.

The key lives in a file (`ARCHIVE_SIGNING_KEY_FILE`) that every worker reads. A rotation
(`archive.services.key_rotation`) stages the new key beside it (`<file>.next`), records the rotation in the
database, then moves the new key into place; a worker still holding the retired key reads the file again
(or the staged key, when a rotation stopped before moving it) as soon as the database names another key, so
no worker signs with a retired key.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError, SigningKeyUnavailable
from archive.ledger import InvalidKey, Signer, generate_signer


@dataclass(eq=False)
class LogSigner:
    """The log's origin line and the key that signs its checkpoints (read again from `key_file` when a
    rotation made elsewhere replaced it)."""

    origin: str
    signer: Signer
    key_file: Path | None = None

    @property
    def verifier_key(self) -> str:
        return self.signer.verifier.vkey

    @classmethod
    def load_or_create(cls, origin: str, key_file: Path) -> LogSigner:
        """The key kept at `key_file`, made (readable by its owner only) on first start."""
        if not key_file.exists():
            _create_key_file(key_file, origin)
        signer = Signer.from_key_string(key_file.read_text().strip())
        if signer.name != origin:
            raise ArchiveError(
                f"the signing key in {key_file} is for the log {signer.name!r}, not {origin!r}: "
                "set ARCHIVE_LOG_ORIGIN to match it, or point ARCHIVE_SIGNING_KEY_FILE at another key"
            )
        return cls(origin, signer, key_file)

    def signer_for(self, vkey: str) -> Signer:
        """The signer of `vkey`, the key the log's records say signs now: the key loaded, or the key file
        read again after a rotation (or the key a rotation staged beside it and had not moved yet)."""
        if self.signer.verifier.vkey == vkey:
            return self.signer
        for candidate in self._key_files():
            found = _read_signer(candidate)
            if found is not None and found.verifier.vkey == vkey:
                self.signer = found
                return found
        raise SigningKeyUnavailable(
            f"the log is signed by {vkey} now, which this process does not hold: give it the key file "
            "the rotation wrote (ARCHIVE_SIGNING_KEY_FILE)",
            vkey=vkey,
        )

    def _key_files(self) -> list[Path]:
        return [] if self.key_file is None else [self.key_file, staged_key_file(self.key_file)]


def staged_key_file(key_file: Path) -> Path:
    """Where a rotation writes the new key before the database records it."""
    return key_file.with_name(key_file.name + ".next")


def stage_new_key(key_file: Path, origin: str) -> Signer:
    """A new key for `origin`, written (owner-readable, synced) beside `key_file` as its staged successor."""
    secret, _ = generate_signer(origin)
    staged = staged_key_file(key_file)
    fd, name = tempfile.mkstemp(prefix=".signing-", dir=key_file.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secret + "\n")
            out.flush()
            os.fsync(out.fileno())
        Path(name).replace(staged)
    finally:
        Path(name).unlink(missing_ok=True)
    return Signer.from_key_string(secret)


def staged_key(key_file: Path) -> Signer | None:
    """The key a rotation staged beside `key_file` and has not moved into place, if any."""
    return _read_signer(staged_key_file(key_file))


def promote_staged_key(key_file: Path) -> None:
    """Move the staged key over `key_file` (one rename: a reader sees the old key or the new, whole). The
    retired key's secret is gone with it: nothing needs it again, its checkpoints are kept signed."""
    staged_key_file(key_file).replace(key_file)
    directory = os.open(key_file.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _read_signer(path: Path) -> Signer | None:
    try:
        return Signer.from_key_string(path.read_text().strip())
    except (OSError, InvalidKey):
        return None


def _create_key_file(key_file: Path, origin: str) -> None:
    """Write a new key beside `key_file`, then link it into place: another process starting at the same
    moment either wins (and both use its key) or reads a whole file, never a half-written one."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    secret, _ = generate_signer(origin)
    fd, name = tempfile.mkstemp(prefix=".signing-", dir=key_file.parent)
    draft = Path(name)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secret + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(draft, key_file)
    finally:
        draft.unlink(missing_ok=True)
