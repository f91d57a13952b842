"""The log's identity: its origin line and the Ed25519 key that signs its checkpoints."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError
from archive.ledger import Signer, generate_signer


@dataclass(frozen=True)
class LogSigner:
    """The log's origin line and the key that signs its checkpoints."""

    origin: str
    signer: Signer

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
        return cls(origin, signer)


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
