"""The common shape of a service app: problem+json, request ids, metrics, health routes."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkin_shared.errors import install_problem_handlers, problem_response
from checkin_shared.health import healthz, readyz
from checkin_shared.metrics import MetricsMiddleware, metrics_endpoint
from checkin_shared.request_id import RequestIdMiddleware

log = logging.getLogger(__name__)
Lifespan = (
    Callable[[FastAPI], AbstractAsyncContextManager[None]]
    | Callable[[FastAPI], AsyncIterator[None]]
)


class UnhandledErrorMiddleware:
    """Turns an unexpected exception into a 500 problem+json that still has a request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = problem_response(
                500, "internal_error", "Internal error", "An unexpected error occurred"
            )
            await response(scope, receive, send)


def create_service_app(
    *, service: str, segment: str, title: str, description: str, lifespan: Lifespan
) -> FastAPI:
    """A FastAPI app whose public routes live under `/<segment>` (as the gateway routes them)."""
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,  # type: ignore[arg-type]
        openapi_url=f"/{segment}/openapi.json",
        docs_url=f"/{segment}/docs",
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(MetricsMiddleware, service=service)
    app.add_middleware(RequestIdMiddleware)
    app.add_route("/healthz", healthz, include_in_schema=False)
    app.add_route("/readyz", readyz, include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app
