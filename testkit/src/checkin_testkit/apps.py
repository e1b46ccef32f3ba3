"""Run an ASGI app for a test: in-process with its lifespan, or as a real HTTP server."""

import asyncio
import contextlib
import gc
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn


@contextlib.asynccontextmanager
async def lifespan_client(
    app: Any, *, client_ip: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    """The app's lifespan runs around an httpx client that calls it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def tracked_by_the_collector(thing: object) -> bool:
    """Whether the cyclic collector's generations hold `thing` (a frozen object is in
    none of them)."""
    return any(found is thing for found in gc.get_objects())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def running_server(
    app: Any, port: int | None = None, *, http: Any = "auto"
) -> AsyncIterator[str]:
    """A real uvicorn server on 127.0.0.1 in this event loop; yields its base URL.
    `http`: uvicorn's protocol (a name or a class)."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", http=http
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped before it started")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class CountingRouter:
    """Stands in for an app's router (`app.router = CountingRouter(app.router)`) and
    records the requests that reach it, as "METHOD /path"."""

    def __init__(self, router: Any) -> None:
        self.router = router
        self.paths: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.router, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.paths.append(f"{scope['method']} {scope['path']}")
        await self.router(scope, receive, send)
