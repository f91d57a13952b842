"""The log as C2SP tlog-tiles (c2sp.org/tlog-tiles): hash tiles and entry bundles, derived from the stored
complete subtrees.

The n-th tile at tile level l holds, for i from 0 to 255, MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]):
exactly the stored subtree (8·l, n·256 + i). A tile is full once all 256 of its subtrees exist, and never
changes afterwards; the rightmost tile of a level is partial, `floor(size / 256^l) mod 256` hashes wide. A
partial tile of width W is the first W hashes of the full tile it grows into, so it never changes either.

Paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, N written in 3-digit groups, all but the last
prefixed with `x` (1234067 is `x001/x234/067`). An entry bundle is its entries, each a big-endian uint16
length and the entry's bytes, so an entry is at most 65,535 bytes.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from archive.ledger.errors import InvalidEntry, InvalidTreeRequest
from archive.ledger.merkle import NodeKey

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_TILE_LEVEL = 63
MAX_BUNDLE_ENTRY_BYTES = 0xFFFF
ENTRIES = "entries"

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_GROUP = re.compile(r"[0-9]{3}")


@dataclass(frozen=True)
class TileAddress:
    """One tile or entry bundle: its level (None for an entry bundle), index and, when partial, width."""

    level: int | None
    index: int
    width: int | None = None

    @property
    def is_bundle(self) -> bool:
        return self.level is None

    @property
    def is_full(self) -> bool:
        return self.width is None

    @property
    def hashes(self) -> int:
        """How many hashes (or entries) it holds."""
        return TILE_WIDTH if self.width is None else self.width

    def node_keys(self) -> list[NodeKey]:
        """The stored subtrees whose hashes make up a hash tile, left to right."""
        level = TILE_HEIGHT * (self.level or 0)
        first = self.index * TILE_WIDTH
        return [(level, first + i) for i in range(self.hashes)]

    def leaf_range(self) -> tuple[int, int]:
        """[start, end) of the entries an entry bundle holds."""
        first = self.index * TILE_WIDTH
        return first, first + self.hashes

    def path(self) -> str:
        """`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`."""
        level = ENTRIES if self.level is None else str(self.level)
        partial = "" if self.width is None else f".p/{self.width}"
        return f"tile/{level}/{format_tile_index(self.index)}{partial}"


def format_tile_index(index: int) -> str:
    """N in 3-digit path elements, all but the last starting with `x`: 1234067 is `x001/x234/067`."""
    if index < 0:
        raise InvalidTreeRequest(f"a tile index cannot be negative (got {index})")
    digits = str(index)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{group}" for group in groups[:-1]), groups[-1]])


def parse_tile_path(path: str) -> TileAddress:
    """The tile a path below `tile/` names (`0/x001/234`, `entries/005.p/17`), refused unless it is
    written exactly as the spec writes it."""
    level_part, _, rest = path.partition("/")
    if level_part == ENTRIES:
        level = None
    elif _LEVEL.fullmatch(level_part) and int(level_part) <= MAX_TILE_LEVEL:
        level = int(level_part)
    else:
        raise InvalidTreeRequest(f"a tile level is a number from 0 to {MAX_TILE_LEVEL} or `entries`")
    index_part, partial, width_part = rest.partition(".p/")
    width = None
    if partial:
        if not _WIDTH.fullmatch(width_part) or int(width_part) >= TILE_WIDTH:
            raise InvalidTreeRequest("a partial tile's width is a number from 1 to 255")
        width = int(width_part)
    return TileAddress(level, _parse_index(index_part), width)


def _parse_index(text: str) -> int:
    groups = text.split("/")
    well_formed = all(group.startswith("x") and _GROUP.fullmatch(group[1:]) for group in groups[:-1])
    if not (well_formed and _GROUP.fullmatch(groups[-1])):
        raise InvalidTreeRequest("a tile index is written in 3-digit groups, all but the last after an `x`")
    digits = "".join(group.removeprefix("x") for group in groups)
    index = int(digits)
    if format_tile_index(index) != text:  # leading zero groups: one index, one path
        raise InvalidTreeRequest(f"tile index {index} is written {format_tile_index(index)}")
    return index


def hashes_available(size: int, level: int, index: int) -> int:
    """How many hashes of tile (level, index) a tree of `size` leaves has (0 to 256)."""
    at_level = size >> (TILE_HEIGHT * level) if TILE_HEIGHT * level < 64 else 0
    return max(0, min(TILE_WIDTH, at_level - index * TILE_WIDTH))


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length and its bytes."""
    parts: list[bytes] = []
    for entry in entries:
        if len(entry) > MAX_BUNDLE_ENTRY_BYTES:
            raise InvalidEntry(f"an entry of {len(entry)} bytes does not fit an entry bundle (64 KiB)")
        parts.append(struct.pack(">H", len(entry)) + entry)
    return b"".join(parts)


def decode_bundle(bundle: bytes) -> list[bytes]:
    """The entries of an entry bundle; a truncated one is refused."""
    entries: list[bytes] = []
    position = 0
    while position < len(bundle):
        if position + 2 > len(bundle):
            raise InvalidEntry("the entry bundle ends inside a length prefix")
        (length,) = struct.unpack_from(">H", bundle, position)
        position += 2
        if position + length > len(bundle):
            raise InvalidEntry("the entry bundle ends inside an entry")
        entries.append(bundle[position : position + length])
        position += length
    return entries
