"""The gateway's /metrics on an internal port of its own, never on the public one.

A deliberately small HTTP/1.0 responder (GET or HEAD /metrics, one request per
connection, bounded reads with a timeout): it must not share the public server, and a
second uvicorn server in the same process would take over its signal handling."""

import asyncio
import contextlib

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

MAX_HEAD_BYTES = 8192
READ_TIMEOUT_SECONDS = 5.0


class MetricsListener:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_SECONDS)
            if len(head) > MAX_HEAD_BYTES:
                return
            method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if target.split("?", 1)[0] == "/metrics" and method in ("GET", "HEAD"):
                body = generate_latest()
                status, kind = "200 OK", CONTENT_TYPE_LATEST
            else:
                body, status, kind = b"not found\n", "404 Not Found", "text/plain"
            writer.write(
                f"HTTP/1.0 {status}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + (b"" if method == "HEAD" else body)
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # a client that does not finish its request, or garbage: just close
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
