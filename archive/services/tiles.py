"""The log served as C2SP tlog-tiles: hash tiles and entry bundles read from the stored tree.

Nothing is stored for them: a tile is 256 (or, partial, fewer) stored subtree hashes read with one query, a
bundle 256 (or fewer) stored leaves. Both are consistent with every checkpoint ever signed, because they are
the very rows those checkpoints' roots were folded from, and rows never change.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.errors import NotFound
from archive.ledger import MissingNodes
from archive.ledger.tiles import TileAddress, encode_bundle, hashes_available
from archive.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Tile:
    address: TileAddress
    data: bytes

    @property
    def immutable(self) -> bool:
        """A full tile or bundle never changes; a partial one is short-lived by the spec's reckoning."""
        return self.address.is_full


def read_tile(uow: UnitOfWork, address: TileAddress) -> Tile:
    """The hash tile or entry bundle at `address`, once the log holds all of it (else NotFound)."""
    size = uow.log.size()
    available = hashes_available(size, address.level or 0, address.index)
    if available < address.hashes:
        raise NotFound(
            f"the log of {size} leaves has no {address.path()}", tree_size=size, tile=address.path()
        )
    if address.is_bundle:
        return Tile(address, _bundle(uow, address))
    keys = address.node_keys()
    nodes = uow.log.get_nodes(keys)
    missing = [key for key in keys if key not in nodes]
    if missing:
        raise MissingNodes(missing)
    return Tile(address, b"".join(nodes[key] for key in keys))


def _bundle(uow: UnitOfWork, address: TileAddress) -> bytes:
    start, end = address.leaf_range()
    entries = uow.log.entries(start, end)
    if [entry.leaf_index for entry in entries] != list(range(start, end)):
        raise MissingNodes([(0, index) for index in range(start, end)])
    return encode_bundle(bytes(entry.entry) for entry in entries)
