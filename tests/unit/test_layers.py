"""The shape of the house, held against the code: imports point one way, and pieces stay small.

Read from the source (no module is imported), so a violation fails here whatever it would do at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "archive"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imported(path: Path) -> set[str]:
    """Every `archive…` module a file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("archive"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("archive"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def reaches(importer: str, prefixes: tuple[str, ...]) -> list[str]:
    path = dict(modules())[importer]
    return sorted(name for name in imported(path) if name.startswith(prefixes))


def is_route_module(name: str) -> bool:
    return name.startswith("archive.api.") and name.rsplit(".", 1)[-1] == "routes"


ALL = [name for name, _ in modules()]


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith("archive.db")])
def test_the_database_layer_reaches_no_extractor_service_edge_or_job(name: str) -> None:
    forbidden = (
        "archive.extract",
        "archive.services",
        "archive.api",
        "archive.cli",
        "archive.wire",
        "archive.jobs",
    )
    assert reaches(name, forbidden) == []


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith("archive.services")])
def test_services_import_nothing_of_the_edges(name: str) -> None:
    forbidden = (
        "archive.api",
        "archive.cli",
        "archive.wire",
        "archive.jobs",
        "archive.bulk",
        "archive.client",
    )
    assert reaches(name, forbidden) == []


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith(("archive.wire", "archive.domain"))])
def test_wire_and_domain_know_no_edge(name: str) -> None:
    assert reaches(name, ("archive.api", "archive.cli")) == []


@pytest.mark.parametrize("name", [n for n in ALL if n != "archive.api.app"])
def test_only_the_app_imports_a_route_module(name: str) -> None:
    path = dict(modules())[name]
    routes = sorted(module for module in imported(path) if is_route_module(module) and module != name)
    assert routes == []


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith("archive.cli")])
def test_the_command_line_imports_no_route_module(name: str) -> None:
    assert [module for module in reaches(name, ("archive.api",)) if is_route_module(module)] == []


@pytest.mark.parametrize(("name", "path"), list(modules()))
def test_no_module_is_too_long(name: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines: look for the second idea inside it"


@pytest.mark.parametrize(("name", "path"), list(modules()))
def test_no_function_is_too_long(name: str, path: Path) -> None:
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{name}: {', '.join(long)}"


def test_only_the_unit_of_work_commits() -> None:
    committing = sorted(
        name
        for name, path in modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    )
    assert committing == ["archive.services.unit_of_work"]
