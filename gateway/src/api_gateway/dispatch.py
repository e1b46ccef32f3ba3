"""The gateway's app: a Starlette app whose proxied requests skip Starlette's routing.

Every request under a service's path segment goes to the proxy through the same two
middlewares the app declares (`ServiceMiddleware`, then CORS), built once, and nothing
else: not Starlette's error and exception middlewares, its router or the catch-all
`Mount`. The proxy answers every refusal itself and `ServiceMiddleware` turns anything
unexpected into a problem+json 500, so those layers had nothing left to do on this path;
they cost a fifth of the gateway's CPU per proxied request. The gateway's own routes (health,
OpenAPI, docs, pages) go through Starlette as before, and they win over a service that
would share their first segment, as in the route table."""

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from checkin_shared.startup_heap import frozen_after_startup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, ExceptionHandler, Receive, Scope, Send


def first_segment(path: str) -> str:
    """`/rewards/abc` -> `rewards`; `/` -> ``."""
    return path.split("/", 2)[1] if path.startswith("/") else ""


def own_segments(routes: Sequence[BaseRoute]) -> frozenset[str]:
    """The first path segments the gateway's own routes claim (not the catch-all Mount)."""
    segments = set()
    for route in routes:
        path = getattr(route, "path", "")
        if isinstance(route, Mount) and path == "":
            continue
        segments.add(first_segment(path))
    return frozenset(segments)


def wrapped(app: ASGIApp, middleware: Sequence[Middleware]) -> ASGIApp:
    """`app` inside `middleware`, the first outermost (as Starlette builds its stack)."""
    for cls, args, kwargs in reversed(middleware):
        app = cls(app, *args, **kwargs)
    return app


class GatewayApp(Starlette):
    """Starlette, with a direct path for requests whose first segment is a service's."""

    def __init__(
        self,
        *,
        proxy: ASGIApp,
        services: Sequence[str],
        routes: Sequence[BaseRoute],
        middleware: Sequence[Middleware],
        exception_handlers: Mapping[Any, ExceptionHandler],
        lifespan: Callable[["GatewayApp"], AbstractAsyncContextManager[None]],
    ) -> None:
        super().__init__(
            routes=routes,
            middleware=middleware,
            exception_handlers=exception_handlers,
            lifespan=frozen_after_startup(lifespan),
        )
        self.proxied = frozenset(services) - own_segments(routes)
        self.proxy_stack = wrapped(proxy, middleware)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and first_segment(scope["path"]) in self.proxied:
            scope["app"] = self
            await self.proxy_stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
