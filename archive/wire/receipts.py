"""A version's log receipt: its leaf, an RFC 9162 inclusion proof, and the signed checkpoint it leads to."""

from __future__ import annotations

import base64

from pydantic import BaseModel, Field

from archive.services.log import Receipt


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class InclusionOut(BaseModel):
    index: int
    tree_size: int
    hashes: list[str]


class ReceiptOut(BaseModel):
    entry: str
    index: int
    inclusion: InclusionOut
    checkpoint: str = Field(description="The signed checkpoint (C2SP signed note) the proof leads to.")

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        inclusion = InclusionOut(
            index=receipt.index, tree_size=receipt.tree_size, hashes=[b64(h) for h in receipt.hashes]
        )
        return cls(
            entry=receipt.entry.decode(),
            index=receipt.index,
            inclusion=inclusion,
            checkpoint=receipt.checkpoint,
        )
