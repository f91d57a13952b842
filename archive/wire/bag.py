"""The JSON files of a BagIt export: each version and receipt exactly as the API gives it."""

from __future__ import annotations

import json
from typing import Any

from archive.db.models import Version
from archive.services.export import BagRendering
from archive.services.log import Receipt
from archive.wire.receipts import ReceiptOut
from archive.wire.versions import VersionOut


def version_json(version: Version) -> bytes:
    """The version as `GET /v1/documents/{id}/versions/{n}` gives it."""
    return _json(VersionOut.of(version).model_dump(mode="json", by_alias=True))


def receipt_json(receipt: Receipt) -> bytes:
    """The receipt as `GET /v1/documents/{id}/versions/{n}/receipt` gives it."""
    return _json(ReceiptOut.of(receipt).model_dump(mode="json", by_alias=True))


def _json(value: Any) -> bytes:
    # Indented for the people who open the bag; the values are the API's to the byte.
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# The export route and the CLI's `archive export` both use this, so both write the same bag.
WIRE_RENDERING = BagRendering(version_json=version_json, receipt_json=receipt_json)
