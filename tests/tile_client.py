"""A tlog-tiles client for the tests, written from c2sp.org/tlog-tiles and RFC 9162 alone: the root of any
tree size recomputed from tiles fetched through `fetch(path)`, as a monitor or a witness would."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

Fetch = Callable[[str], bytes]


def tile_index_path(n: int) -> str:
    digits = f"{n:03d}"
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, n: int, size: int) -> str:
    """The path of tile n at `level` as a tree of `size` leaves has it (full, or partial of its width)."""
    at_level = size >> (8 * (0 if level == "entries" else int(level)))
    width = min(256, at_level - n * 256)
    assert width > 0, f"a tree of {size} has no tile {level}/{n}"
    return f"tile/{level}/{tile_index_path(n)}" + ("" if width == 256 else f".p/{width}")


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _subtree(fetch: Fetch, size: int, height: int, index: int) -> bytes:
    """MTH of the complete subtree of 2^height leaves starting at leaf index·2^height, from tiles."""
    level, rest = divmod(height, 8)
    first = index << rest  # its first hash at tile level `level`
    tile = fetch(tile_path(level, first // 256, size))
    hashes = [tile[32 * i : 32 * i + 32] for i in range(first % 256, first % 256 + (1 << rest))]
    while len(hashes) > 1:
        hashes = [_node(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def root_from_tiles(fetch: Fetch, size: int) -> bytes:
    """MTH(D[0:size]) from the tiles alone: the complete subtrees of size's binary decomposition, folded
    right to left as RFC 9162 splits the tree."""
    if size == 0:
        return hashlib.sha256(b"").digest()
    parts: list[bytes] = []
    start = 0
    for height in range(size.bit_length() - 1, -1, -1):
        if size >> height & 1:
            parts.append(_subtree(fetch, size, height, start >> height))
            start += 1 << height
    root = parts[-1]
    for left in reversed(parts[:-1]):
        root = _node(left, root)
    return root
