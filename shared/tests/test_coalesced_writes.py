"""The launch commands' protocol sends an answer's head and body in one write, and still
sends a streamed answer chunk by chunk (a real uvicorn server, a client on a socket)."""

import asyncio
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from checkin_shared.http_protocol import TimedHttpToolsProtocol
from checkin_testkit.apps import running_server

BODY = b'{"ok":true}'


async def lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def slow_between_head_and_body(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"11")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    time.sleep(0.2)  # noqa: ASYNC251 (the loop held on purpose: the head would be on the wire)
    await send({"type": "http.response.body", "body": BODY})


def first_read(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        return sock.recv(65536)


def read_to_end(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


async def test_head_and_body_arrive_in_one_segment() -> None:
    async with running_server(slow_between_head_and_body, http=TimedHttpToolsProtocol) as url:
        port = urlsplit(url).port
        assert port is not None
        for _ in range(3):  # a kept-alive connection's later answers too
            first = await asyncio.to_thread(first_read, port, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            assert first.startswith(b"HTTP/1.1 200")
            assert first.endswith(b"\r\n\r\n" + BODY)  # the body came with the head


async def test_an_answer_that_closes_the_connection_is_sent_whole_first() -> None:
    async with running_server(slow_between_head_and_body, http=TimedHttpToolsProtocol) as url:
        port = urlsplit(url).port
        assert port is not None
        received = await asyncio.to_thread(
            read_to_end, port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        )
        assert received.startswith(b"HTTP/1.1 200")
        assert b"connection: close" in received.lower()
        assert received.endswith(b"\r\n\r\n" + BODY)


async def test_a_streamed_answer_is_sent_as_it_is_written() -> None:
    """The second chunk is written only after the client has read the first: a transport
    that held writes back until the answer ended would never let it."""
    first_seen = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await first_seen.wait()
        await send({"type": "http.response.body", "body": b"second"})

    loop = asyncio.get_running_loop()

    def client(port: int) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            received = b""
            while b"first" not in received:
                received += sock.recv(65536)
            loop.call_soon_threadsafe(first_seen.set)
            while not received.endswith(b"0\r\n\r\n"):
                received += sock.recv(65536)
            return received

    async with running_server(app, http=TimedHttpToolsProtocol) as url:
        port = urlsplit(url).port
        assert port is not None
        received = await asyncio.wait_for(asyncio.to_thread(client, port), 10)
    assert received.startswith(b"HTTP/1.1 200")
    assert b"5\r\nfirst\r\n" in received
    assert received.endswith(b"6\r\nsecond\r\n0\r\n\r\n")
