"""The proxy: route by first path segment, check token and role, limit, forward, stream back."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from checkin_shared.errors import ProblemError
from checkin_shared.tokens import Principal, TokenVerifier, invalid_token
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from api_gateway.access import is_public, role_allows
from api_gateway.client_address import client_address, networks
from api_gateway.config import GatewaySettings
from api_gateway.headers import client_response_headers, upstream_request_headers
from api_gateway.ratelimit import TokenBuckets, retry_after
from api_gateway.upstream_http import (
    Origin,
    UpstreamError,
    UpstreamPool,
    UpstreamResponse,
    parse_base_url,
)

log = logging.getLogger(__name__)
SMALL_BODY = 64 * 1024
BODY_READ = "gateway.body_read"  # set in the scope once the body is being read


# Routes that take a file: up to `upload_max_body_bytes`, streamed to the service.
UPLOAD_PATHS = frozenset({"/auth/admin/purchase-imports"})
# Answers up to this size (every JSON answer; not CSV exports) are read whole first.
WHOLE_BODY_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    pass


class LimitedBody:
    """A streamed request body that stops at `limit` bytes and remembers that it did."""

    def __init__(self, request: Request, limit: int) -> None:
        self.request = request
        self.limit = limit
        self.exceeded = False

    async def chunks(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self.request.stream():
            seen += len(chunk)
            if seen > self.limit:
                self.exceeded = True
                raise BodyTooLarge
            yield chunk


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


async def drain(receive: Receive, limit: int, idle_seconds: float = 1.0) -> int:
    """Read and drop up to `limit` bytes of the request body; stop at its end, or when
    nothing more comes for `idle_seconds` (the body may have ended already)."""
    drained = 0
    with contextlib.suppress(TimeoutError):
        while drained < limit:
            message = await asyncio.wait_for(receive(), idle_seconds)
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
    return drained


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413, "payload_too_large", "Payload too large", f"The body exceeds {limit} bytes"
    )


def _unavailable() -> ProblemError:
    return ProblemError(
        503,
        "service_unavailable",
        "Service unavailable",
        "The service is not reachable; retry shortly",
        headers={"Retry-After": "1"},
    )


def _rate_limited(wait: float) -> ProblemError:
    return ProblemError(
        429,
        "rate_limited",
        "Too many requests",
        "Slow down and retry later",
        headers={"Retry-After": retry_after(wait)},
    )


class Proxy:
    def __init__(
        self,
        settings: GatewaySettings,
        *,
        upstream: UpstreamPool,
        verifier: TokenVerifier,
        ip_buckets: TokenBuckets,
        user_buckets: TokenBuckets,
    ) -> None:
        self.settings = settings
        self.routes = {k: parse_base_url(v) for k, v in settings.routes.items()}
        self.trusted = networks(settings.trusted_proxies)
        self.upstream = upstream
        self.verifier = verifier
        self.ip_buckets = ip_buckets
        self.user_buckets = user_buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        path: str = scope["path"]
        segment = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        scope["metrics_route"] = f"/{segment}/*" if segment in self.routes else "unmatched"
        try:
            await self._handle(request, segment, send)
        except ProblemError as exc:
            # Refused before the body was forwarded (401, 404, 413, 429, ...): a client that
            # sends its whole body before reading (most do) would meet a connection reset
            # instead of this answer. Read (and drop) a bounded amount first; close the
            # connection after a 413 or when the body was more than that.
            response = exc.response()
            if exc.status == 413 or (_has_body(request) and not scope.get(BODY_READ)):
                limit = self.settings.drain_limit_bytes
                drained = await drain(receive, limit)
                if exc.status == 413 or drained >= limit:
                    response.headers["Connection"] = "close"
            await response(scope, receive, send)

    async def _handle(self, request: Request, segment: str, send: Send) -> None:
        base = self.routes.get(segment)
        if base is None:
            raise ProblemError(404, "not_found", "Not found", f"No service serves /{segment}")
        peer = request.client.host if request.client else "unknown"
        client_ip = client_address(peer, request.headers.get("x-forwarded-for"), self.trusted)
        wait = self.ip_buckets.take(client_ip)
        if wait:
            raise _rate_limited(wait)
        path, method = request.scope["path"], request.scope["method"]
        if not is_public(method, path, segment):
            principal = await self._authenticate(request)
            if not role_allows(principal.role, method, path):
                raise ProblemError(403, "forbidden", "Forbidden", "Your role may not do this")
            wait = self.user_buckets.take(str(principal.user_id))
            if wait:
                raise _rate_limited(wait)
        await self._forward(request, base, client_ip, send)

    async def _authenticate(self, request: Request) -> Principal:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise invalid_token("missing bearer token")
        return await self.verifier.verify(token.strip())

    def _limit(self, request: Request) -> int:
        if request.scope["method"] == "POST" and request.scope["path"] in UPLOAD_PATHS:
            return self.settings.upload_max_body_bytes
        return self.settings.max_body_bytes

    async def _body(self, request: Request) -> bytes | LimitedBody:
        limit = self._limit(request)
        request.scope[BODY_READ] = True
        if not _has_body(request):
            return b""  # neither Content-Length nor Transfer-Encoding: no body (RFC 9112 6.3)
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise ProblemError(400, "bad_request", "Bad request", "Invalid Content-Length")
            if int(declared) > limit:
                raise _too_large(limit)
            if int(declared) <= SMALL_BODY:
                return await request.body()
        return LimitedBody(request, limit)

    async def _forward(
        self, request: Request, base: tuple[Origin, str], client_ip: str, send: Send
    ) -> None:
        origin, prefix = base
        scope = request.scope
        # The request-target as the client sent it (percent-encoding kept), under the
        # service's base path; the query string byte for byte.
        target = prefix.encode("latin-1") + scope.get("raw_path", scope["path"].encode())
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        headers = upstream_request_headers(
            request.headers.items(),
            client_ip=client_ip,
            scheme=scope["scheme"],
            request_id=scope["state"]["request_id"],
        )
        body = await self._body(request)
        data = body.chunks() if isinstance(body, LimitedBody) else body
        timeout = self.settings.upstream_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                response = await self.upstream.request(
                    scope["method"], origin, target, headers, data
                )
        except (BodyTooLarge, UpstreamError) as exc:
            if isinstance(body, LimitedBody) and body.exceeded:
                raise _too_large(self._limit(request)) from None
            log.warning("upstream %s unavailable: %s", origin.host_header, exc)
            raise _unavailable() from None
        except TimeoutError:
            raise ProblemError(
                504,
                "upstream_timeout",
                "Upstream timeout",
                f"The service did not answer within {timeout:g} s",
            ) from None
        await self._relay(response, send)

    async def _relay(self, response: UpstreamResponse, send: Send) -> None:
        try:
            start: dict[str, Any] = {
                "type": "http.response.start",
                "status": response.status,
                "headers": client_response_headers(response.headers),
            }
            length = response.content_length
            if length is not None and length <= WHOLE_BODY_BYTES:
                # Read it all before answering: a service that dies between its headers
                # and its body becomes a clean 503 (retry) instead of a cut-off answer.
                try:
                    body = await response.read()
                except UpstreamError as exc:
                    log.warning("upstream answer cut short: %r", exc)
                    raise _unavailable() from None
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(start)
            async for chunk in response.chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            response.release()
