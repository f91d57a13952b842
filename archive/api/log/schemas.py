"""The log API's own wire models: a leaf, and a consistency proof between two tree sizes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EntryOut(BaseModel):
    index: int
    entry: str = Field(description="The leaf's canonical JSON, exactly the bytes hashed (UTF-8).")
    leaf_hash: str = Field(description="base64 of SHA-256(0x00 ‖ entry).")


class ConsistencyOut(BaseModel):
    model_config = {"populate_by_name": True}

    from_size: int = Field(serialization_alias="from")
    to_size: int = Field(serialization_alias="to")
    hashes: list[str]
