"""One handler that turns every error into RFC 9457 problem details."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from archive import errors

log = logging.getLogger("archive.api")

PROBLEM_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "5"

# Most specific first: the first class an error is an instance of decides its status.
STATUS_BY_ERROR: list[tuple[type[errors.ArchiveError], int]] = [
    (errors.NotFound, 404),
    (errors.Gone, 410),
    (errors.UploadTooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.UnsatisfiableRange, 416),
    (errors.InvalidDatetime, 400),
    (errors.InvalidInput, 422),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.RequestForged, 403),
    (errors.Conflict, 409),
    (errors.StoredBlobCorrupt, 502),
    (errors.StorageFull, 507),
    (errors.StorageUnavailable, 503),
    (errors.DatabaseUnavailable, 503),
    (errors.DatabaseNotMigrated, 503),
    (errors.SigningKeyUnavailable, 503),
]


def status_for(error: errors.ArchiveError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 500


def problem(
    status: int,
    title: str,
    detail: str | None,
    request: Request,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


async def _archive_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.ArchiveError)
    status = status_for(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="archive"'
    if status == 503:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    if isinstance(exc, errors.UnsatisfiableRange):
        headers["Content-Range"] = f"bytes */{exc.fields['size']}"
    if status >= 500:  # the cause (with the paths and hosts a client is not told) goes to the log only
        log.error("%s: %s (cause: %r)", type(exc).__name__, exc.detail, exc.__cause__)
    return problem(status, exc.title, exc.detail, request, headers, **exc.fields)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = errors.field_errors(exc.errors(), "request")
    detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return problem(422, "Invalid request", detail, request, errors=problems)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem(exc.status_code, _reason(exc.status_code), str(exc.detail), request, headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first route's, which
    is wrong where GET and POST, or GET and HEAD, are separate routes)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal server error", "the server failed; this was logged", request)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.ArchiveError, _archive_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
