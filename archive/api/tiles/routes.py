"""The log as C2SP tlog-tiles (c2sp.org/tlog-tiles), beside the checkpoint at `/v1/log/checkpoint`:
`/v1/log/tile/<L>/<N>[.p/<W>]` and `/v1/log/tile/entries/<N>[.p/<W>]`, so that monitors, mirrors and
witnesses read the log with the tools they have."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from archive.api.deps import Context, LogReader, Uow
from archive.api.openapi import problem_doc, unauthenticated_doc
from archive.ledger.tiles import parse_tile_path
from archive.services.tiles import read_tile

router = APIRouter(tags=["log"])

# A full tile never changes; a partial one is superseded as the log grows, so it is kept briefly.
IMMUTABLE = "max-age=31536000, immutable"
SHORT_LIVED = "max-age=10"

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "description": "A hash tile (32-byte SHA-256 hashes) or an entry bundle (uint16-prefixed entries).",
    },
    401: unauthenticated_doc(),
    404: problem_doc("The log does not hold that tile yet."),
    422: problem_doc("A tile path not written as tlog-tiles writes it."),
    503: problem_doc("The database is unavailable; retry."),
}
# The grammar of a tile path, as exactly as `parse_tile_path` reads it: a level from 0 to 63 or `entries`;
# N in 3-digit groups, all but the last after an `x`, with no leading group of zeros; a width from 1 to 255.
_LEVEL = "(?:entries|[0-9]|[1-5][0-9]|6[0-3])"
_INDEX = "(?:x(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})(?:/x[0-9]{3})*/)?[0-9]{3}"
_WIDTH = "(?:[1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
TILE_PATTERN = rf"^{_LEVEL}/{_INDEX}(?:\.p/{_WIDTH})?$"
TilePath = Annotated[
    str,
    Path(
        max_length=64,
        pattern=TILE_PATTERN,
        openapi_examples={
            "a hash tile": {"value": "0/x001/234"},
            "a partial entry bundle": {"value": "entries/005.p/17"},
        },
        description="`<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`, N in 3-digit groups (`x001/x234/067`).",
    ),
]


@router.get(
    "/v1/log/tile/{tile:path}",
    response_class=Response,
    summary="A hash tile or an entry bundle of the log (C2SP tlog-tiles)",
    responses=_RESPONSES,
)
def tile(tile: TilePath, context: Context, uow: Uow, _: LogReader) -> Response:
    address = parse_tile_path(tile)
    with uow.reading():
        found = read_tile(uow, address)
    scope = "public" if context.settings.public_log or context.settings.public_read else "private"
    cache = IMMUTABLE if found.immutable else SHORT_LIVED
    return Response(
        found.data,
        media_type="application/octet-stream",
        headers={"Cache-Control": f"{scope}, {cache}", "X-Content-Type-Options": "nosniff"},
    )
