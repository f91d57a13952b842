"""The path and query types that several features' routes share, so that an id or a digest is checked (and
documented) the same way wherever it appears."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from archive.digests import DIGEST_PATTERN

ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
MAX_PAGE_SIZE = 100
DocumentId = Annotated[
    str,
    Path(
        pattern=ULID_PATTERN,
        description="The document's ULID (26 characters, Crockford base32).",
    ),
]
VersionNumber = Annotated[int, Path(ge=1, le=2_147_483_647, description="Version number, from 1.")]
Blake3 = Annotated[
    str, Path(pattern=DIGEST_PATTERN, description="BLAKE3 digest, 64 lowercase hex characters.")
]
