"""The proxy's HTTP/1.1 client, against scripted servers on loopback that misbehave on cue."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvloop
from api_gateway.config import GatewaySettings
from api_gateway.upstream_http import (
    Origin,
    UpstreamError,
    UpstreamPool,
    parse_base_url,
)
from pydantic import ValidationError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Scripted:
    """A TCP server on 127.0.0.1 whose connections run `handler`; counts connections."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.origin = Origin("127.0.0.1", 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError):
            await self.handler(reader, writer)
        writer.close()


@contextlib.asynccontextmanager
async def scripted(handler: Handler) -> AsyncIterator[Scripted]:
    server_side = Scripted(handler)
    server = await asyncio.start_server(server_side._serve, "127.0.0.1", 0)
    server_side.origin = Origin("127.0.0.1", server.sockets[0].getsockname()[1])
    async with server:
        yield server_side


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """One request: its request line, headers (lower-cased names) and body."""
    head = await reader.readuntil(b"\r\n\r\n")
    line, *lines = head[:-4].split(b"\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(b":", 1) for x in lines)}
    if b"content-length" in headers:
        return line, headers, await reader.readexactly(int(headers[b"content-length"]))
    body = b""
    if headers.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    return line, headers, body


def answer(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"content-length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def pool(**overrides: Any) -> UpstreamPool:
    values = {"limit": 10, "connect_timeout": 1.0, "keepalive_seconds": 30.0, **overrides}
    return UpstreamPool(**values)


async def fetch(
    upstream: UpstreamPool,
    origin: Origin,
    method: str = "GET",
    body: bytes | AsyncIterator[bytes] = b"",
    target: bytes = b"/x",
) -> tuple[int, bytes]:
    response = await upstream.request(method, origin, target, [("x-a", "1")], body)
    try:
        return response.status, await response.read()
    finally:
        response.release()


async def echo_forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        line, headers, body = await read_request(reader)
        writer.write(answer(line + b"|" + headers.get(b"host", b"") + b"|" + body))
        await writer.drain()


def test_base_urls_are_plain_http_with_an_optional_port_and_prefix() -> None:
    assert parse_base_url("http://auth:8000") == (Origin("auth", 8000), "")
    assert parse_base_url("http://auth:8000/") == (Origin("auth", 8000), "")
    assert parse_base_url("http://auth") == (Origin("auth", 80), "")
    assert parse_base_url("http://auth:8000/v1/") == (Origin("auth", 8000), "/v1")
    assert parse_base_url("http://[::1]:8001") == (Origin("::1", 8001), "")
    assert parse_base_url("http://[::1]") == (Origin("::1", 80), "")
    assert Origin("::1", 8001).host_header == "[::1]:8001"
    assert Origin("auth", 80).host_header == "auth"
    for wrong in ("https://auth:8000", "auth:8000", "http://:8000", "http://auth:99999"):
        with pytest.raises(ValueError, match="base URL"):
            parse_base_url(wrong)


def test_the_gateway_refuses_to_start_with_a_route_it_cannot_reach() -> None:
    with pytest.raises(ValidationError, match="http://host"):
        GatewaySettings(routes={"auth": "https://auth.example"})


async def test_a_request_is_sent_as_given_and_the_connection_is_kept_for_the_next() -> None:
    async with scripted(echo_forever) as server:
        upstream = pool()
        first = await fetch(upstream, server.origin, target=b"/a%20b?q=%C3%A4")
        second = await fetch(upstream, server.origin, "POST", b"hello")
        empty_post = await fetch(upstream, server.origin, "POST")
        upstream.close()
    host = f"127.0.0.1:{server.origin.port}".encode()
    assert first == (200, b"GET /a%20b?q=%C3%A4 HTTP/1.1|" + host + b"|")
    assert second == (200, b"POST /x HTTP/1.1|" + host + b"|hello")
    assert empty_post == (200, b"POST /x HTTP/1.1|" + host + b"|")
    assert server.connections == 1


async def test_a_connection_idle_longer_than_the_keepalive_is_not_reused() -> None:
    async with scripted(echo_forever) as server:
        upstream = pool(keepalive_seconds=0.05)
        await fetch(upstream, server.origin)
        await asyncio.sleep(0.1)
        await fetch(upstream, server.origin)
        upstream.close()
    assert server.connections == 2


async def test_a_connection_the_service_asks_to_close_is_not_reused() -> None:
    async def answer_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"bye", b"connection: close"))
        await writer.drain()

    async with scripted(answer_and_close) as server:
        upstream = pool()
        assert await fetch(upstream, server.origin) == (200, b"bye")
        assert await fetch(upstream, server.origin) == (200, b"bye")
        upstream.close()
    assert server.connections == 2


def once_then_close_silently() -> Handler:
    """Answers one request per connection, then closes when the next one arrives without
    answering it: a keep-alive connection the service has just given up."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"ok"))
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")

    return handler


async def test_an_idempotent_request_on_a_stale_connection_is_sent_again_on_a_new_one() -> None:
    async with scripted(once_then_close_silently()) as server:
        upstream = pool()
        await fetch(upstream, server.origin)
        assert await fetch(upstream, server.origin, "GET") == (200, b"ok")
        upstream.close()
    assert server.connections == 2


async def test_a_post_on_a_stale_connection_is_not_sent_twice() -> None:
    async with scripted(once_then_close_silently()) as server:
        upstream = pool()
        await fetch(upstream, server.origin)
        with pytest.raises(UpstreamError):
            await fetch(upstream, server.origin, "POST", b"{}")
        upstream.close()
    assert server.connections == 1


async def test_an_answer_cut_short_is_an_error_when_read() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n" + b"x" * 20)
        await writer.drain()

    async with scripted(cut) as server:
        upstream = pool()
        response = await upstream.request("GET", server.origin, b"/", [], b"")
        with pytest.raises(UpstreamError, match="mid-answer"):
            await response.read()
        response.release()
        upstream.close()


async def test_interim_answers_are_skipped_and_a_body_may_end_with_the_connection() -> None:
    async def interim_then_until_close(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(b"HTTP/1.1 201 Created\r\nx-b: 2\r\n\r\npart one, ")
        await writer.drain()
        writer.write(b"part two")
        await writer.drain()

    async with scripted(interim_then_until_close) as server:
        upstream = pool()
        response = await upstream.request("GET", server.origin, b"/", [], b"")
        assert response.status == 201 and response.headers == [(b"x-b", b"2")]
        assert response.content_length is None
        assert await response.read() == b"part one, part two"
        response.release()
        upstream.close()


async def test_a_streamed_body_goes_chunked_and_whole() -> None:
    async def parts() -> AsyncIterator[bytes]:
        for part in (b"ab", b"", b"c" * 100_000, b"d"):
            yield part

    async with scripted(echo_forever) as server:
        upstream = pool()
        status, echoed = await fetch(upstream, server.origin, "POST", parts())
        upstream.close()
    assert status == 200 and echoed.endswith(b"|ab" + b"c" * 100_000 + b"d")


async def test_a_failing_body_is_the_bodys_error_and_the_connection_is_dropped() -> None:
    class Stop(Exception):
        pass

    async def failing() -> AsyncIterator[bytes]:
        yield b"a"
        raise Stop

    async def read_forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)

    async with scripted(read_forever) as server:
        upstream = pool(limit=1)
        with pytest.raises(Stop):
            await upstream.request("POST", server.origin, b"/", [], failing())
        # the one slot is free again
        async with asyncio.timeout(1):
            with pytest.raises(UpstreamError):
                await fetch(upstream, Origin("127.0.0.1", 1))
        upstream.close()


async def test_an_early_answer_ends_the_body_and_the_connection() -> None:
    sent_everything = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(10_000):
            yield b"x" * 1024
            await asyncio.sleep(0)
        sent_everything.set()

    async def refuse_early(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer(b"too big"))
        await writer.drain()
        await reader.read(-1)

    async with scripted(refuse_early) as server:
        upstream = pool()
        assert await fetch(upstream, server.origin, "POST", endless()) == (200, b"too big")
        assert await fetch(upstream, server.origin, "POST", b"") == (200, b"too big")
        upstream.close()
    assert not sent_everything.is_set()
    assert server.connections == 2


async def test_a_large_answer_streams_with_reading_paused_while_the_reader_lags() -> None:
    size = 4 * 1024 * 1024

    async def big(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
        for _ in range(size // 65536):
            writer.write(b"y" * 65536)
            await writer.drain()

    async with scripted(big) as server:
        upstream = pool()
        response = await upstream.request("GET", server.origin, b"/", [], b"")
        await asyncio.sleep(0.2)  # the reader lags: the client must not hold it all
        connection = response._connection
        held = connection.exchange.buffered if connection.exchange else 0
        paused = connection.paused
        received = 0
        async for chunk in response.chunks():
            received += len(chunk)
        response.release()
        upstream.close()
    assert paused and held < 2 * 1024 * 1024
    assert received == size


async def test_at_most_limit_exchanges_at_once() -> None:
    release = asyncio.Event()

    async def held(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            await release.wait()
            writer.write(answer(b"ok"))
            await writer.drain()

    async with scripted(held) as server:
        upstream = pool(limit=2)
        calls = [asyncio.ensure_future(fetch(upstream, server.origin)) for _ in range(3)]
        await asyncio.sleep(0.2)
        assert server.connections == 2
        release.set()
        assert await asyncio.gather(*calls) == [(200, b"ok")] * 3
        upstream.close()
    assert server.connections == 2


async def test_a_service_that_holds_all_its_slots_holds_up_no_other_service() -> None:
    release = asyncio.Event()

    async def hung(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await release.wait()
        writer.write(answer(b"late"))
        await writer.drain()

    async with scripted(hung) as slow, scripted(echo_forever) as other:
        upstream = pool(limit=1)
        stuck = [asyncio.ensure_future(fetch(upstream, slow.origin)) for _ in range(2)]
        await asyncio.sleep(0.1)  # the slow service's one slot is taken, one waits for it
        async with asyncio.timeout(2):
            status, _ = await fetch(upstream, other.origin)
        assert status == 200 and not any(call.done() for call in stuck)
        release.set()
        assert [s for s, _ in await asyncio.gather(*stuck)] == [200, 200]
        upstream.close()


async def test_a_cancelled_exchange_drops_its_connection_and_frees_its_slot() -> None:
    async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)

    async with scripted(never_answers) as server:
        upstream = pool(limit=1)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await fetch(upstream, server.origin)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await fetch(upstream, server.origin)
        upstream.close()
    assert server.connections == 2


async def test_a_service_that_is_not_listening_is_an_upstream_error() -> None:
    upstream = pool()
    with pytest.raises(UpstreamError, match="cannot connect"):
        await fetch(upstream, Origin("127.0.0.1", 1))


async def test_a_malformed_answer_is_an_upstream_error() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        await reader.read(-1)

    async with scripted(garbage) as server:
        upstream = pool()
        with pytest.raises(UpstreamError, match="malformed"):
            await fetch(upstream, server.origin)
        upstream.close()


UNDER_UVLOOP = [
    test_a_request_is_sent_as_given_and_the_connection_is_kept_for_the_next,
    test_an_idempotent_request_on_a_stale_connection_is_sent_again_on_a_new_one,
    test_a_post_on_a_stale_connection_is_not_sent_twice,
    test_an_answer_cut_short_is_an_error_when_read,
    test_interim_answers_are_skipped_and_a_body_may_end_with_the_connection,
    test_a_streamed_body_goes_chunked_and_whole,
    test_an_early_answer_ends_the_body_and_the_connection,
    test_a_large_answer_streams_with_reading_paused_while_the_reader_lags,
    test_a_cancelled_exchange_drops_its_connection_and_frees_its_slot,
    test_a_service_that_is_not_listening_is_an_upstream_error,
]


@pytest.mark.parametrize("scenario", UNDER_UVLOOP, ids=lambda f: f.__name__[5:])
def test_the_same_under_uvloop_as_the_gateway_runs(scenario: Callable[[], Awaitable[None]]) -> None:
    """The gateway runs on uvloop (its transports are not asyncio's classes)."""
    uvloop.run(scenario())  # type: ignore[arg-type]
