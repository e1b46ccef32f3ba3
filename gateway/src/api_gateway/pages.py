"""The pages, served by the gateway from static files on the API's own origin: `/app/` (the
shopper's stamp card), `/admin/` (the staff console) and `/assets/` (what both load). They
speak only the public API. Every answer carries a Content-Security-Policy that allows
nothing from elsewhere (no CDN, no inline script); the shopper page may be framed by the
shop's own origins (`GATEWAY_CORS_ORIGINS`), the console by nobody."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES = Path(__file__).parent / "page_files"


def content_security_policy(frame_ancestors: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class WithHeaders:
    """Adds fixed headers to every answer of the app it wraps (pure ASGI)."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def page_routes(shop_origins: list[str]) -> list[BaseRoute]:
    def served(folder: str, frame_ancestors: str) -> ASGIApp:
        files = StaticFiles(directory=PAGES / folder, html=True)
        headers = {
            "Content-Security-Policy": content_security_policy(frame_ancestors),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            # a deploy changes them: revalidate (ETag) rather than keep a stale page
            "Cache-Control": "no-cache",
        }
        return WithHeaders(files, headers)

    async def with_slash(request: Request) -> RedirectResponse:
        """`/app` is `/app/` (the proxy behind would answer 404 for it)."""
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{request.url.path}/{query}", status_code=308)

    shop = " ".join(["'self'", *shop_origins])
    return [
        Route("/app", with_slash, include_in_schema=False),
        Route("/admin", with_slash, include_in_schema=False),
        Mount("/app", app=served("app", shop), name="shopper-page"),
        Mount("/admin", app=served("admin", "'none'"), name="console"),
        Mount("/assets", app=served("assets", shop), name="page-assets"),
    ]
