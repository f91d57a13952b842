"""The tree drawn at the top of `archive.errors` is the tree that exists: every subclass of `ArchiveError`
defined anywhere in the package is drawn exactly once, under its real parent, and nothing else is drawn.

A class defined outside `archive.errors` is drawn with its module beside it, in parentheses.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
from dataclasses import dataclass
from typing import NoReturn

import pytest

import archive
from archive import errors
from archive.errors import ArchiveError

ROOT = ArchiveError.__name__
HOME = errors.__name__
# `__main__` runs the program when it is imported; it is read instead, and may define no class at all.
SCRIPT = "__main__"
BRANCH = re.compile(r"(?P<indent>(?:│   |    )*)[├└]── (?P<name>\w+)(?:\s+\((?P<module>[\w.]+)\))?")


@dataclass(frozen=True)
class Drawn:
    """One class as the drawing shows it: where it lives and the class it is drawn under."""

    path: str
    parent: str
    line: int


def _reraise(name: str) -> NoReturn:
    raise ImportError(f"the package {name} does not import")


def _read_script(name: str) -> None:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, f"{name} has no source"
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read(), spec.origin)
    classes = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    assert not classes, f"{name} defines {classes}: define them in a module that can be imported"


@pytest.fixture(scope="module")
def defined() -> dict[str, str]:
    """Every `ArchiveError` subclass of the package, after importing every module: path → parent's path."""
    for module in pkgutil.walk_packages(archive.__path__, f"{archive.__name__}.", onerror=_reraise):
        if module.name.rpartition(".")[2] == SCRIPT:
            _read_script(module.name)
        else:
            importlib.import_module(module.name)
    return {_path(cls): _parent(cls) for cls in _subclasses(ArchiveError) if _in_package(cls)}


@pytest.fixture(scope="module")
def drawn() -> dict[str, list[Drawn]]:
    """The classes the drawing names: path → every place it is drawn."""
    lines = (errors.__doc__ or "").splitlines()
    assert ROOT in lines, f"the docstring of {HOME} draws no tree rooted at a line {ROOT!r}"
    start = lines.index(ROOT)
    found: dict[str, list[Drawn]] = {}
    ancestors = [_qualified(HOME, ROOT)]
    for number, text in enumerate(lines[start + 1 :], start=start + 2):
        if not text.strip():
            break
        match = BRANCH.fullmatch(text.rstrip())
        if match is None:
            _refuse(number, text, "is not a branch of the tree (`├── Name` or `└── Name  (module)`)")
        depth = len(match["indent"]) // 4 + 1
        if depth > len(ancestors):
            _refuse(number, text, "is indented deeper than the branch above it")
        path = _qualified(match["module"] or HOME, match["name"])
        del ancestors[depth:]
        found.setdefault(path, []).append(Drawn(path, ancestors[-1], number))
        ancestors.append(path)
    return found


def test_every_error_class_is_drawn(defined: dict[str, str], drawn: dict[str, list[Drawn]]) -> None:
    undrawn = sorted(set(defined) - set(drawn) - {_path(ArchiveError)})
    assert not undrawn, f"draw these in the tree at the top of {HOME} (with their module): {undrawn}"


def test_the_drawing_names_only_classes_that_exist(
    defined: dict[str, str], drawn: dict[str, list[Drawn]]
) -> None:
    phantoms = sorted(set(drawn) - set(defined))
    assert not phantoms, f"the tree in {HOME} draws classes that do not exist (or live elsewhere): {phantoms}"


def test_each_class_is_drawn_once(drawn: dict[str, list[Drawn]]) -> None:
    repeated = {path: [place.line for place in places] for path, places in drawn.items() if len(places) > 1}
    assert not repeated, f"drawn more than once (docstring lines): {repeated}"


def test_each_class_is_drawn_under_its_real_parent(
    defined: dict[str, str], drawn: dict[str, list[Drawn]]
) -> None:
    misplaced = [
        f"{place.path} is drawn under {place.parent}, but its parent is {defined[place.path]}"
        for places in drawn.values()
        for place in places
        if place.path in defined and place.parent != defined[place.path]
    ]
    assert not misplaced, "\n".join(misplaced)


def _subclasses(cls: type[ArchiveError]) -> list[type[ArchiveError]]:
    return [sub for child in cls.__subclasses__() for sub in [child, *_subclasses(child)]]


def _in_package(cls: type) -> bool:
    return cls.__module__ == archive.__name__ or cls.__module__.startswith(f"{archive.__name__}.")


def _parent(cls: type[ArchiveError]) -> str:
    parents = [base for base in cls.__bases__ if issubclass(base, ArchiveError)]
    assert len(parents) == 1, f"{_path(cls)} derives from {len(parents)} error classes; a tree draws one"
    return _path(parents[0])


def _path(cls: type) -> str:
    return _qualified(cls.__module__, cls.__qualname__)


def _qualified(module: str, name: str) -> str:
    return f"{module}.{name}"


def _refuse(number: int, text: str, why: str) -> NoReturn:
    pytest.fail(f"line {number} of the docstring of {HOME}, {text!r}, {why}")
