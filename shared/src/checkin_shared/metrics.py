"""Prometheus metrics: request rate, latency and errors per route (counted by the ASGI
middleware), and the /metrics endpoint."""

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by route template and status",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by route template",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def route_label(scope: Scope) -> str:
    """The route template (bounded cardinality), never the raw path."""
    explicit = scope.get("metrics_route")
    if isinstance(explicit, str):
        return explicit
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
