"""The gateway app: `uvicorn gateway.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checkin_shared.api_docs import docs_routes
from checkin_shared.asgi import ServiceMiddleware
from checkin_shared.errors import ProblemError
from checkin_shared.health import healthz, run_checks
from checkin_shared.keysets import RemoteKeySet
from checkin_shared.logs import configure_logging
from checkin_shared.tokens import TokenVerifier
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from api_gateway.config import GatewaySettings
from api_gateway.dispatch import GatewayApp
from api_gateway.metrics_listener import MetricsListener
from api_gateway.openapi import OpenApiCache
from api_gateway.pages import page_routes
from api_gateway.proxy import Proxy
from api_gateway.ratelimit import TokenBuckets
from api_gateway.readiness import upstream_checks
from api_gateway.upstream import make_client_session
from api_gateway.upstream_http import UpstreamPool


async def openapi_document(request: Request) -> JSONResponse:
    document, _ = await request.app.state.openapi.document()
    return JSONResponse(document)


async def readyz(request: Request) -> JSONResponse:
    results = await run_checks(request.app.state.readiness_checks)
    ready = all(v == "ok" for v in results.values())
    body = {"status": "ready" if ready else "not_ready", "checks": results}
    return JSONResponse(body, status_code=200 if ready else 503)


async def forward_to_service(scope: Scope, receive: Receive, send: Send) -> None:
    proxy: Proxy = scope["app"].state.proxy
    await proxy(scope, receive, send)


async def _problem(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return exc.response()


def create_app(settings: GatewaySettings | None = None) -> GatewayApp:
    settings = settings or GatewaySettings()
    configure_logging("gateway", settings.log_level, json_lines=settings.log_json)
    keys = RemoteKeySet(
        settings.jwks_url,
        refresh_every=settings.jwks_refresh_seconds,
        min_refetch=settings.jwks_min_refetch_seconds,
    )
    verifier = TokenVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=settings.jwt_algorithms,
    )

    @asynccontextmanager
    async def lifespan(app: GatewayApp) -> AsyncIterator[None]:
        client = make_client_session(
            pool_size=settings.upstream_pool_size,
            connect_timeout=settings.connect_timeout_seconds,
            keepalive_seconds=settings.upstream_keepalive_seconds,
        )
        upstream = UpstreamPool(
            limit=settings.upstream_pool_size,
            connect_timeout=settings.connect_timeout_seconds,
            keepalive_seconds=settings.upstream_keepalive_seconds,
        )
        await keys.start()
        app.state.proxy = Proxy(
            settings,
            upstream=upstream,
            verifier=verifier,
            ip_buckets=TokenBuckets(
                rate=settings.rate_per_ip,
                burst=settings.burst_per_ip,
                max_keys=settings.rate_limit_max_keys,
            ),
            user_buckets=TokenBuckets(
                rate=settings.rate_per_user,
                burst=settings.burst_per_user,
                max_keys=settings.rate_limit_max_keys,
            ),
        )
        app.state.openapi = OpenApiCache(
            settings.routes, client, ttl=settings.openapi_cache_seconds
        )
        app.state.readiness_checks = upstream_checks(settings.routes, client, keys)
        metrics = MetricsListener(settings.metrics_host, settings.metrics_port)
        await metrics.start()
        try:
            yield
        finally:
            await metrics.stop()
            await keys.stop()
            upstream.close()
            await client.close()

    return GatewayApp(
        proxy=forward_to_service,
        services=list(settings.routes),
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/openapi.json", openapi_document),
            *docs_routes("", openapi_url="/openapi.json", title="Check-in rewards API"),
            *page_routes(settings.cors_origins),
            Mount("/", app=forward_to_service),
        ],
        middleware=[
            Middleware(ServiceMiddleware, service="gateway"),
            # Outermost-but-one: a preflight is answered here, before any token check.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Retry-After"],
                max_age=settings.cors_max_age_seconds,
            ),
        ],
        exception_handlers={ProblemError: _problem},
        lifespan=lifespan,
    )
