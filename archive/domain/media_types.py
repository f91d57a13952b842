"""Media types: the one place an upload's type is inferred and validated, whoever sent it."""

from __future__ import annotations

import mimetypes
import re

from archive.errors import InvalidInput

OCTET_STREAM = "application/octet-stream"
_MEDIA_TYPE = re.compile(
    r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
    r"(\s*;\s*[a-z0-9!#$&^_.+-]+=(\"[^\"\\\x00-\x1f]*\"|[a-z0-9!#$&^_.+-]+))*$",
    re.IGNORECASE,
)


def infer_media_type(declared: str | None, filename: str | None) -> str:
    """The declared type, normalised (its type and subtype lower-cased, parameters kept); when none is
    declared (or only `application/octet-stream`), a guess from the file name, else
    `application/octet-stream`. A declared value that is not a media type is refused (`InvalidInput`)."""
    declared = (declared or "").strip()
    if not declared or declared.lower() == OCTET_STREAM:
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        return guessed or OCTET_STREAM
    if len(declared) > 255 or not _MEDIA_TYPE.match(declared):
        raise InvalidInput(f"the file part's Content-Type {declared[:80]!r} is not a media type")
    kind, _, params = declared.partition(";")
    return kind.strip().lower() + (f"; {params.strip()}" if params.strip() else "")
