"""Which extractor read a version: its rules' revision and the digest of the weights it chose by.

A version records it (`extracted_by`), so that an archivist can tell a version read by older rules, and
`archive reextract` can say which extractor read the bytes again. Bump `RULES_REVISION` when a rule changes
what a page gives; a refit of `weights.json` changes the digest by itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

RULES_REVISION = 9
_WEIGHTS = Path(__file__).with_name("weights.json")


def _weights_digest() -> str:
    try:
        return hashlib.sha256(_WEIGHTS.read_bytes()).hexdigest()[:12]
    except OSError:
        return "none"


EXTRACTOR_VERSION = f"archive-extract/{RULES_REVISION} weights/{_weights_digest()}"
