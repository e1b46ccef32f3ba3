"""The one ASGI middleware of every app (services and gateway): the request id, the
request metrics and the last-resort error answer, around a single wrapper of `send`."""

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkin_shared.errors import problem_response
from checkin_shared.metrics import HTTP_LATENCY, HTTP_REQUESTS, route_label
from checkin_shared.outages import database_unavailable, invalid_data
from checkin_shared.request_id import accept_or_new, request_id_var

log = logging.getLogger(__name__)
CLIENT_CLOSED = 499  # the status metrics record for a request whose client went away


def last_resort(exc: Exception, scope: Scope) -> Response:
    """An unexpected exception as problem+json: 503 when the database is unreachable
    (clients retry), 422 for a value the database refuses, 500 for anything else (a bug)."""
    if database_unavailable(exc):
        log.warning("database unavailable on %s: %r", scope.get("path"), exc)
        return problem_response(
            503,
            "database_unavailable",
            "Service unavailable",
            "The database cannot be reached just now; retry shortly",
            headers={"Retry-After": "2"},
        )
    if invalid_data(exc):
        log.info("refused value on %s: %r", scope.get("path"), exc)
        return problem_response(
            422,
            "invalid_value",
            "Invalid value",
            "A value cannot be stored (for example it contains a NUL character)",
        )
    log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
    return problem_response(500, "internal_error", "Internal error", "An unexpected error occurred")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return str(value.decode("latin-1"))
    return None


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # HEAD is GET without the body (RFC 9110 9.3.2): FastAPI routes know only GET.
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        request_id = accept_or_new(_incoming_request_id(scope))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            elif head and message["type"] == "http.response.body" and message.get("body"):
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client left (or the server closed a stalled request): nobody to answer.
            status = status or CLIENT_CLOSED
        except Exception as exc:
            if status is not None:  # the answer has begun: nothing else can be said
                raise
            await last_resort(exc, scope)(scope, receive, send_with_id)
        finally:
            route, method = route_label(scope), scope["method"]
            HTTP_REQUESTS.labels(self.service, method, route, str(status or 500)).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)
            request_id_var.reset(token)
