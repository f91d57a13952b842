"""The JSON files of an export (BagIt or OCFL): each version and receipt exactly as the API gives it."""

from __future__ import annotations

import json
from typing import Any

from archive.db.models import Version
from archive.services.export_files import ExportRendering
from archive.services.log import Receipt
from archive.wire.receipts import ReceiptOut
from archive.wire.versions import VersionOut


def version_json(version: Version) -> bytes:
    """The version as `GET /v1/documents/{id}/versions/{n}` gives it."""
    return _json(VersionOut.of(version).model_dump(mode="json", by_alias=True))


def receipt_json(receipt: Receipt) -> bytes:
    """The receipt as `GET /v1/documents/{id}/versions/{n}/receipt` gives it."""
    return _json(ReceiptOut.of(receipt).model_dump(mode="json", by_alias=True))


def metadata_json(version: Version) -> bytes:
    """The version as the API gives it, with the metadata its archivist supplied (`supplied`), from which an
    import rebuilds it."""
    described = VersionOut.of(version).model_dump(mode="json", by_alias=True)
    return _json({**described, "supplied": version.supplied})


def _json(value: Any) -> bytes:
    # Indented for the people who open the bag; the values are the API's to the byte.
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# The export route and the CLI's `archive export` both use this, so both write the same bag.
WIRE_RENDERING = ExportRendering(
    version_json=version_json, receipt_json=receipt_json, metadata_json=metadata_json
)
