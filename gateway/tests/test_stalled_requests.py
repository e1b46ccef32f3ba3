"""Slowloris: requests whose head never ends, or whose body stalls, are closed within
the bound while the gateway keeps answering everyone else (a real uvicorn server with
the launch commands' protocol)."""

import asyncio
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from api_gateway.main import create_app
from checkin_shared.http_protocol import TimedHttpToolsProtocol
from checkin_testkit.apps import running_server

BOUND = 1.0  # the timeouts in this test; what the launch commands use is 10 s


async def stall(port: int, first_bytes: bytes) -> tuple[asyncio.StreamReader, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(first_bytes)
    await writer.drain()
    return reader, writer


async def test_200_stalled_connections_are_closed_and_others_still_get_answers(
    gateway_settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TimedHttpToolsProtocol, "header_timeout", BOUND)
    monkeypatch.setattr(TimedHttpToolsProtocol, "body_idle_timeout", BOUND)
    app = create_app(gateway_settings_for())
    async with running_server(app, http=TimedHttpToolsProtocol) as url:
        port = urlsplit(url).port
        assert port is not None
        no_blank_line = b"GET /auth/me HTTP/1.1\r\nHost: gateway\r\nX-Slow: 1\r\n"
        short_body = (
            b"POST /auth/login HTTP/1.1\r\nHost: gateway\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":'
        )
        stalled = [await stall(port, no_blank_line) for _ in range(180)]
        stalled += [await stall(port, short_body) for _ in range(20)]
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/auth/me")).status_code == 401  # served, not stuck

        async def closed(reader: asyncio.StreamReader) -> bytes:
            return await asyncio.wait_for(reader.read(), BOUND + 4)  # EOF: the server closed

        leftovers = await asyncio.gather(*(closed(reader) for reader, _ in stalled))
        assert leftovers == [b""] * len(stalled)  # closed without an answer, none hung
        for _, writer in stalled:
            writer.close()


async def test_a_kept_alive_connection_that_stalls_in_its_next_head_is_closed(
    gateway_settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TimedHttpToolsProtocol, "header_timeout", BOUND)
    app = create_app(gateway_settings_for())
    async with running_server(app, http=TimedHttpToolsProtocol) as url:
        port = urlsplit(url).port
        assert port is not None
        reader, writer = await stall(port, b"GET /healthz HTTP/1.1\r\nHost: g\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200")
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: g\r\n")  # and never the blank line
        await writer.drain()
        rest = await asyncio.wait_for(reader.read(), BOUND + 4)
        assert b"HTTP/1.1" not in rest  # closed, no second answer
        writer.close()


def send_everything_then_read(port: int, body_size: int, token: str | None) -> bytes:
    """What Python's urllib and most clients do: the whole body first, then the answer."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (
            "POST /echo/upload HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
            + (f"Authorization: Bearer {token}\r\n" if token else "")
            + f"Content-Length: {body_size}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * body_size)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("signed_in", "status_line", "code"),
    [
        (True, b"HTTP/1.1 413 Request Entity Too Large", b"payload_too_large"),
        (False, b"HTTP/1.1 401 Unauthorized", b"invalid_token"),  # refused before the size
    ],
)
async def test_an_early_refusal_reaches_a_client_that_sends_its_whole_body_first(
    gateway_settings_for: Any,
    shopper_token: str,
    signed_in: bool,
    status_line: bytes,
    code: bytes,
) -> None:
    """A 3 MiB body against a 4 KiB limit: the client gets the answer, not a reset."""
    app = create_app(gateway_settings_for())  # max_body_bytes: 4096
    token = shopper_token if signed_in else None
    async with running_server(app, http=TimedHttpToolsProtocol) as url:
        port = urlsplit(url).port
        assert port is not None
        answer = await asyncio.to_thread(send_everything_then_read, port, 3 * 1024 * 1024, token)
    first_line, _, rest = answer.partition(b"\r\n")
    assert first_line == status_line
    assert code in rest
