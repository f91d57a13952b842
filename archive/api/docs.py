"""The interactive API description (`/docs`, Swagger UI; `/redoc`), its scripts and styles served by the
archive itself from a pinned package (`fastapi-offline`), never from a CDN: the pages work on a network
with no way out, and what runs in a reader's browser is exactly the version installed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
ASSET_DIR = Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI) -> None:
    """`/docs`, `/docs/oauth2-redirect` and `/redoc`, and their assets under `/docs/assets/` (the app is
    made with `docs_url=None, redoc_url=None`, so these replace FastAPI's CDN-loading pages)."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect = "/docs/oauth2-redirect"

    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API",
            oauth2_redirect_url=redirect,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    for path, page in (("/docs", swagger_ui), (redirect, oauth2_redirect), ("/redoc", redoc)):
        app.add_api_route(path, page, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount(ASSETS, StaticFiles(directory=ASSET_DIR), name="docs-assets")
