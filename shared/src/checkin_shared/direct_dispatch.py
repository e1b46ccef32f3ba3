"""A service app whose direct routes are reached without FastAPI's and Starlette's layers.

A bodiless request that a `DirectRoute` matches (its method and path, as the route's own
`matches` decides) goes straight to the route's handler inside `ServiceMiddleware`, which
every request passes (request id, metrics, last-resort 500). It skips what lies between:
Starlette's and FastAPI's error, telemetry, body-limit, exception and exit-stack
middlewares, the scan of every route, and the request/response wrapping. In the reward
service's profile of a claim storm those layers were a quarter of its CPU.

What they did for such a request is done here: the route's errors are answered by the
app's exception handlers (a refusal's problem+json, a 422), anything else reaches
`ServiceMiddleware`'s last resort; the scope gets the app, the router, the route and its
path parameters as routing would set them. Everything else (a request with a body, a
path or method no direct route takes, the gateway-facing health and docs routes) goes
the whole way, as before."""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRouter
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from checkin_shared.asgi import ServiceMiddleware
from checkin_shared.direct_route import DirectEndpoint, DirectRoute

HANDLER = "checkin.direct_handler"  # in the scope: the matched route's handler


def has_body(scope: Scope) -> bool:
    """Whether the request declares a body (RFC 9112 6.3): a non-zero Content-Length or
    any Transfer-Encoding."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value != b"0":
            return True
        if name == b"transfer-encoding":
            return True
    return False


class ServiceApp(FastAPI):
    def __init__(self, *, service: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.direct: list[tuple[DirectRoute, DirectEndpoint]] = []
        self._direct_stack = ServiceMiddleware(self._answer_directly, service=service)

    def include_direct(self, router: APIRouter) -> None:
        """Include `router` as `include_router` does; its direct routes are also reached
        the direct way (their paths are the router's own: include it without a prefix)."""
        self.include_router(router)
        for route in router.routes:
            if isinstance(route, DirectRoute):
                self.direct.append((route, route.get_route_handler()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.direct and not has_body(scope):
            # HEAD is answered as GET (ServiceMiddleware drops the body): match it as GET
            asked = {**scope, "method": "GET"} if scope["method"] == "HEAD" else scope
            for route, handler in self.direct:
                match, child_scope = route.matches(asked)
                if match is Match.FULL:
                    scope.update(child_scope)
                    scope["app"], scope["router"] = self, self.router
                    scope[HANDLER] = handler
                    await self._direct_stack(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

    async def _answer_directly(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await scope[HANDLER](request)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise  # ServiceMiddleware's last resort
            response = await handler(request, exc)
        await response(scope, receive, send)

    def _handler_for(self, exc: Exception) -> Any:
        for cls in type(exc).__mro__:
            if cls in self.exception_handlers:
                return self.exception_handlers[cls]
        return None
