"""Route registration helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def get_and_head(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Serve `path` for GET and HEAD as two routes, so each has its own OpenAPI operation."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.get(path, **options)(endpoint)
        router.head(path, **options)(endpoint)
        return endpoint

    return register
