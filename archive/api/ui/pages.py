"""What every page of the web interface shares: its templates, its headers, and errors shown as pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.templating import Jinja2Templates

from archive.api.problems import status_for
from archive.api.ui import session as ui_session
from archive.api.ui.session import LoginRequired
from archive.domain.credits import ROLES
from archive.errors import ArchiveError, field_errors

log = logging.getLogger("archive.ui")
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


class PageRoute(APIRoute):
    """Errors on a page become a page (or, before logging in, the login form), not problem JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handle(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)
            except ArchiveError as exc:
                status = status_for(exc)
                if status >= 500:
                    log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc.detail)
                response = error_page(request, status, exc.title, exc.detail)
            except RequestValidationError as exc:
                detail = "; ".join(f"{p['field']}: {p['message']}" for p in field_errors(exc.errors(), ""))
                response = error_page(request, 422, "Invalid request", detail)
            ui_session.finish(request, response)
            for name, value in PAGE_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    visitor = getattr(request.state, "visitor", None)
    return templates.TemplateResponse(
        request,
        name,
        {"visitor": visitor, "roles": list(ROLES), **values},
        status_code=status_code,
    )


def error_page(request: Request, status: int, title: str, detail: str | None) -> HTMLResponse:
    return page(request, "error.html", status_code=status, status=status, title=title, detail=detail)
