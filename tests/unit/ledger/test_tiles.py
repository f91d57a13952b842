"""Tile paths, widths and entry bundles as c2sp.org/tlog-tiles writes them, and roots from tiles."""

from __future__ import annotations

import pytest

from archive.ledger import InvalidEntry, InvalidTreeRequest, MemoryNodes, leaf_hash, root_hash
from archive.ledger.tiles import (
    TileAddress,
    decode_bundle,
    encode_bundle,
    format_tile_index,
    hashes_available,
    parse_tile_path,
)
from tests.tile_client import root_from_tiles


def test_tile_indexes_are_written_in_groups_of_three() -> None:
    assert format_tile_index(1234067) == "x001/x234/067"
    assert format_tile_index(0) == "000"
    assert format_tile_index(999) == "999"
    assert format_tile_index(1000) == "x001/000"


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("0/x001/x234/067", TileAddress(0, 1234067)),
        ("1/000.p/17", TileAddress(1, 0, 17)),
        ("entries/x001/000", TileAddress(None, 1000)),
        ("entries/005.p/255", TileAddress(None, 5, 255)),
        ("63/000", TileAddress(63, 0)),
    ],
)
def test_paths_parse_and_print_back(path: str, address: TileAddress) -> None:
    assert parse_tile_path(path) == address
    assert address.path() == f"tile/{path}"


@pytest.mark.parametrize(
    "path",
    [
        "64/000",
        "01/000",
        "0/1",
        "0/x001",
        "0/x000/001",
        "0/001.p/0",
        "0/001.p/256",
        "0/001.p/07",
        "x/000",
        "0/",
    ],
)
def test_paths_not_written_as_the_spec_writes_them_are_refused(path: str) -> None:
    with pytest.raises(InvalidTreeRequest):
        parse_tile_path(path)


def test_widths_follow_the_spec_example() -> None:
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0 tile of
    # width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2 tile
    # of width 1"
    assert all(hashes_available(70_000, 0, n) == 256 for n in range(273))
    assert hashes_available(70_000, 0, 273) == 112
    assert hashes_available(70_000, 0, 274) == 0
    assert (hashes_available(70_000, 1, 0), hashes_available(70_000, 1, 1)) == (256, 17)
    assert hashes_available(70_000, 2, 0) == 1
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
    assert (hashes_available(256, 0, 0), hashes_available(256, 1, 0), hashes_available(256, 0, 1)) == (
        256,
        1,
        0,
    )
    assert hashes_available(1 << 62, 7, 0) == 64


def test_bundles_are_length_prefixed_entries() -> None:
    entries = [b"", b"a", bytes(range(256)) * 10]
    bundle = encode_bundle(entries)
    assert bundle[:3] == b"\x00\x00\x00" and bundle[3:6] == b"\x01a\x0a"
    assert decode_bundle(bundle) == entries
    assert len(encode_bundle([b"x" * 0xFFFF])) == 0xFFFF + 2
    with pytest.raises(InvalidEntry):
        encode_bundle([b"x" * 0x10000])
    with pytest.raises(InvalidEntry):
        decode_bundle(bundle[:-1])


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 512, 1000, 65536, 65537, 70_000])
def test_the_root_of_any_size_is_recomputed_from_tiles(size: int) -> None:
    nodes = MemoryNodes.from_leaf_hashes(leaf_hash(str(i).encode()) for i in range(size))

    def fetch(path: str) -> bytes:
        address = parse_tile_path(path.removeprefix("tile/"))
        available = hashes_available(size, address.level or 0, address.index)
        assert address.hashes == available, f"{path}: the client asked for {address.hashes} of {available}"
        found = nodes.get_nodes(address.node_keys())
        return b"".join(found[key] for key in address.node_keys())

    assert root_from_tiles(fetch, size) == root_hash(nodes, size)
