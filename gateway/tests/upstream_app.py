"""A stand-in upstream for gateway tests: echoes what it received, or answers slowly."""

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

JWKS: dict[str, Any] = {"keys": []}
SEEN: list[dict[str, Any]] = []


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    seen = {
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query,
        "headers": dict(request.headers),
        "body_length": len(body),
    }
    SEEN.append(seen)
    return JSONResponse(seen, headers={"Connection": "close, X-Secret-Hop", "X-Secret-Hop": "1"})


async def slow(_: Request) -> JSONResponse:
    await asyncio.sleep(3)
    return JSONResponse({"late": True})


async def cut_short(_: Request) -> StreamingResponse:
    """Headers promising 169 bytes, then 20 of them, then the process 'dies' (the
    connection is dropped): what a service killed between headers and body looks like."""

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"day": "2026-11-30",'
        raise RuntimeError("killed mid-body")

    return StreamingResponse(
        chunks(), media_type="application/json", headers={"Content-Length": "169"}
    )


async def big(_: Request) -> StreamingResponse:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(64):
            yield b"x" * 65536

    return StreamingResponse(chunks(), media_type="application/octet-stream")


async def jwks(_: Request) -> JSONResponse:
    return JSONResponse(JWKS)


async def ready(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ready"})


async def openapi(request: Request) -> JSONResponse:
    segment = request.url.path.split("/")[1]
    return JSONResponse(
        {
            "openapi": "3.1.0",
            "info": {"title": f"{segment} stand-in", "version": "1"},
            "paths": {f"/{segment}/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"Problem": {"type": "object", "title": segment}}},
        }
    )


def create_upstream() -> Starlette:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route("/readyz", ready),
            Route("/keys/jwks.json", jwks),
            Route("/echo/openapi.json", openapi),
            Route("/slow/openapi.json", openapi),
            Route("/echo/big", big),
            Route("/echo/cut-short", cut_short, methods=["POST"]),
            Route("/echo/{rest:path}", echo, methods=methods),
            Route("/slow/{rest:path}", slow, methods=methods),
        ]
    )
