"""Reading a file's embedded metadata with exiftool, run as a subprocess of the extraction worker.

exiftool is the reference reader of EXIF, IPTC-IIM and XMP (and the Metadata Working Group's reconciliation
of them, `-use MWG`); it reads every format the archive receives (JPEG, TIFF, PNG, WebP, HEIC) and never
touches the network. Its tags come back named by group and tag (`IPTC:By-line`, `XMP-dc:Creator`,
`MWG:Creator`), values as stored: a string, or a list for a repeated or list-valued tag.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from pathlib import Path
from typing import Any

EXIFTOOL = "exiftool"
TIMEOUT_SECONDS = 15.0
ARGUMENTS = ("-j", "-G1", "-a", "-struct", "-use", "MWG", "-all", "-MWG:all", "-charset", "filename=utf8")

Tags = dict[str, Any]


class ExiftoolMissing(RuntimeError):
    """exiftool is not installed where the extraction workers run."""


MAX_MEMORY_BYTES = 1024 * 1024 * 1024
MAX_CPU_SECONDS = int(TIMEOUT_SECONDS)


def _limits() -> None:
    """exiftool's own bounds, which hold even when the worker that started it is killed first: memory (a
    compressed text chunk can expand to gigabytes) and processor time."""
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_CPU_SECONDS, MAX_CPU_SECONDS + 1))


def exiftool_path() -> str | None:
    return shutil.which(EXIFTOOL)


def read_tags(path: Path) -> Tags:
    """Every tag exiftool reads from the file; `ExiftoolMissing`, or `RuntimeError` with its message."""
    program = exiftool_path()
    if program is None:
        raise ExiftoolMissing("exiftool is not installed: embedded metadata was not read")
    try:
        completed = subprocess.run(  # noqa: S603  (a fixed program and arguments; the path is ours)
            [program, *ARGUMENTS, "--", str(path)],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            start_new_session=True,
            preexec_fn=_limits,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"exiftool took over {TIMEOUT_SECONDS:g} s") from None
    try:
        found = json.loads(completed.stdout.decode("utf-8", errors="replace") or "[]")
    except json.JSONDecodeError:
        found = []
    if not found or not isinstance(found[0], dict):
        message = completed.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise RuntimeError(f"exiftool read nothing: {message[0] if message else 'no output'}"[:300])
    tags: Tags = found[0]
    return tags
