"""Run inside the ocfl-py virtualenv: archive each document as an OCFL object, each change as a new version.

Usage: peer_ocfl.py DOCS_DIR CHANGES_DIR OBJECTS_DIR. DOCS_DIR holds `<n>.txt` (one object each); CHANGES_DIR
holds `<n>.txt`, a new version of document n. Prints the seconds the loop took, as JSON.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ocfl  # type: ignore[import-not-found,unused-ignore]


def stage(source: Path, staging: Path) -> Path:
    """A source folder holding only this document, as `content.txt`."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copyfile(source, staging / "content.txt")
    return staging


def main() -> None:
    logging.disable(logging.INFO)
    docs, changes, objects = (Path(arg) for arg in sys.argv[1:4])
    metadata = ocfl.VersionMetadata(message="bench", name="bench", address="mailto:bench@example.org")
    staging = Path(tempfile.mkdtemp(prefix="ocfl-stage-", dir=objects.parent))
    started = time.perf_counter()
    for doc in sorted(docs.glob("*.txt"), key=lambda p: int(p.stem)):
        ocfl.Object(identifier=f"doc-{doc.stem}").create(
            str(stage(doc, staging)), metadata=metadata, objdir=str(objects / doc.stem)
        )
    for change in sorted(changes.glob("*.txt"), key=lambda p: int(p.stem)):
        ocfl.Object().add_version_with_content(
            objdir=str(objects / change.stem), srcdir=str(stage(change, staging)), metadata=metadata
        )
    elapsed = time.perf_counter() - started
    shutil.rmtree(staging, ignore_errors=True)
    print(json.dumps({"seconds": elapsed}))


if __name__ == "__main__":
    main()
