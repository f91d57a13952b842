"""How versions are numbered: from 1, each document's own count, at most a signed 32-bit integer (what
every database the archive runs on stores, and what the API, the web interface and the CLI accept)."""

from __future__ import annotations

MAX_VERSION = 2_147_483_647
