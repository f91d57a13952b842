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
    checkpoint: str = Field(
        description="The signed checkpoint (C2SP signed note) the proof leads to, with the cosignatures "
        "of the witnesses that vouched for it (C2SP tlog-cosignature)."
    )
    timestamp: str | None = Field(
        default=None,
        description="An RFC 3161 TimeStampToken (base64 DER) over the checkpoint's body, when an "
        "authority has time-stamped it: the version was archived no later than its time.",
    )

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
            timestamp=b64(receipt.timestamp) if receipt.timestamp is not None else None,
        )
