"""Swagger UI and ReDoc pages whose scripts and styles we serve ourselves (the assets of
the `fastapi-offline` package): `/docs` works with no internet and no CDN."""

from pathlib import Path

import fastapi_offline
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"


def docs_routes(prefix: str, *, openapi_url: str, title: str) -> list[BaseRoute]:
    """`<prefix>/docs` (Swagger UI), `<prefix>/redoc` and their `<prefix>/docs/assets/`."""
    assets = f"{prefix}/docs/assets"

    async def swagger(_: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
        )

    async def redoc(_: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )

    return [
        Route(f"{prefix}/docs", swagger, include_in_schema=False),
        Route(f"{prefix}/redoc", redoc, include_in_schema=False),
        Mount(assets, app=StaticFiles(directory=ASSETS), name=f"{prefix}-docs-assets"),
    ]
