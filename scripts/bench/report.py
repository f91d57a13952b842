"""The machine, the versions, and the figures as the table in docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import harness
from harness import Figure, Results

PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "python-multipart",
    "sqlalchemy",
    "psycopg",
    "boto3",
    "botocore",
    "blake3",
    "httpx2",
    "moto",
)
BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def _tool_version(*argv: str) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not installed"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def _cpu_model() -> str:
    match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return match.group(1).strip() if match else platform.processor()


def _memory() -> str:
    match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else "?"


def _postgres_version() -> str:
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(harness.PG_ADMIN_URL, connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception:
        return "not reachable"


def environment() -> list[tuple[str, str]]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (absent)")
    return [
        ("CPU", f"{_cpu_model()}, nproc {os.cpu_count()}"),
        ("memory", _memory()),
        ("kernel", platform.release()),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", _postgres_version()),
        ("packages", ", ".join(versions)),
        (
            "tools",
            "; ".join(
                [
                    _tool_version("wrk", "--version"),
                    _tool_version("b3sum", "--version"),
                    _tool_version("git", "--version"),
                ]
            ),
        ),
    ]


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def figure_row(figure: Figure) -> str:
    met = {None: "-", True: "yes", False: "**no**"}[figure.met]
    ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
    floor = _cell(figure.floor) + (f" ({figure.floor_name})" if figure.floor_name else "")
    service = f"{_cell(figure.service)} {figure.unit}"
    return f"| {figure.name} | {service} | {floor} | {ratio} | {figure.goal} | {met} |"


def results_section(results: Results, mode: str, seconds: float) -> str:
    lines = [
        BEGIN,
        f"Run: `{mode}`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds:.0f} s wall time.",
        "",
        "| what | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in environment()),
        "",
        "| figure | service | floor | ratio | goal | met? |",
        "|---|---|---|---|---|---|",
        *(figure_row(figure) for figure in results.figures),
    ]
    if results.notes:
        lines += ["", *(f"- {note}" for note in results.notes)]
    lines.append(END)
    return "\n".join(lines)


def write_results(doc: Path, section: str) -> None:
    """Replace the results between the markers in `doc`, or append them when it has none."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text)
