"""The path and query types that several features' routes share, so that an id or a digest is checked (and
documented) the same way wherever it appears."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from archive.digests import DIGEST_PATTERN
from archive.domain.versions import MAX_VERSION

ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
MAX_PAGE_SIZE = 100
DocumentId = Annotated[
    str,
    Path(
        pattern=ULID_PATTERN,
        description="The document's ULID (26 characters, Crockford base32).",
    ),
]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="Version number, from 1.")]
# The two versions a diff compares (`?from=N&to=M`).
FromVersion = Annotated[int, Query(alias="from", ge=1, le=MAX_VERSION)]
ToVersion = Annotated[int, Query(alias="to", ge=1, le=MAX_VERSION)]
Blake3 = Annotated[
    str, Path(pattern=DIGEST_PATTERN, description="BLAKE3 digest, 64 lowercase hex characters.")
]
