"""The common shape of a service app: problem+json, request ids, metrics, health routes."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import Depends, FastAPI

from checkin_shared import openapi_problems
from checkin_shared.api_docs import docs_routes
from checkin_shared.asgi import ServiceMiddleware
from checkin_shared.content_type import json_bodies_only
from checkin_shared.direct_dispatch import ServiceApp
from checkin_shared.errors import install_problem_handlers
from checkin_shared.health import healthz, readyz
from checkin_shared.metrics import metrics_endpoint
from checkin_shared.startup_heap import frozen_after_startup

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *, service: str, segment: str, title: str, description: str, lifespan: Lifespan
) -> ServiceApp:
    """A FastAPI app whose public routes live under `/<segment>` (as the gateway routes
    them); its hot routes are included with `include_direct` (`direct_dispatch.py`)."""
    app = ServiceApp(
        service=service,
        title=title,
        description=description,
        version="0.1.0",
        lifespan=frozen_after_startup(lifespan),
        openapi_url=f"/{segment}/openapi.json",
        docs_url=None,  # ours, below: no CDN
        redoc_url=None,
        dependencies=[Depends(json_bodies_only)],
    )
    install_problem_handlers(app)
    openapi_problems.install(app)
    app.add_middleware(ServiceMiddleware, service=service)
    app.router.routes.extend(
        docs_routes(f"/{segment}", openapi_url=f"/{segment}/openapi.json", title=title)
    )
    app.add_route("/healthz", healthz, include_in_schema=False)
    app.add_route("/readyz", readyz, include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app
