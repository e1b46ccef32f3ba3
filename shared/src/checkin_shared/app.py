"""The common shape of a service app: problem+json, request ids, metrics, health routes."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkin_shared import openapi_problems
from checkin_shared.errors import install_problem_handlers, problem_response
from checkin_shared.health import healthz, readyz
from checkin_shared.metrics import MetricsMiddleware, metrics_endpoint
from checkin_shared.outages import database_unavailable, invalid_data
from checkin_shared.request_id import RequestIdMiddleware

log = logging.getLogger(__name__)
Lifespan = (
    Callable[[FastAPI], AbstractAsyncContextManager[None]]
    | Callable[[FastAPI], AsyncIterator[None]]
)


class UnhandledErrorMiddleware:
    """Turns an unexpected exception into problem+json that still has a request id: 503 when
    the database is unreachable (clients retry), 500 for anything else (a bug)."""

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
        except Exception as exc:
            if started:
                raise
            if database_unavailable(exc):
                log.warning("database unavailable on %s: %r", scope.get("path"), exc)
                response = problem_response(
                    503,
                    "database_unavailable",
                    "Service unavailable",
                    "The database cannot be reached just now; retry shortly",
                    headers={"Retry-After": "2"},
                )
            elif invalid_data(exc):
                log.info("refused value on %s: %r", scope.get("path"), exc)
                response = problem_response(
                    422,
                    "invalid_value",
                    "Invalid value",
                    "A value cannot be stored (for example it contains a NUL character)",
                )
            else:
                log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
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
    openapi_problems.install(app)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(MetricsMiddleware, service=service)
    app.add_middleware(RequestIdMiddleware)
    app.add_route("/healthz", healthz, include_in_schema=False)
    app.add_route("/readyz", readyz, include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app
