"""The proxy's HTTP/1.1 client to the services: keep-alive connections per service, one
exchange at a time on each, responses parsed by httptools (the parser uvicorn serves with).

Why not aiohttp here: the hop is a third of a read's CPU, and aiohttp's client (its request
and response objects, payload registry, tracing hooks, URL handling) was a quarter of the
gateway's. This does only what the proxy needs:
- a request is its method, a request-target (bytes, as the client sent it), header pairs,
  and a body that is bytes (sent with Content-Length) or an async iterator of chunks (sent
  chunked, written while the answer is awaited, so an early answer is not blocked);
- an answer is its status, its header pairs, and a body read whole or streamed with flow
  control (reading from the service pauses while the client is slower);
- a connection goes back to the pool only after a whole exchange the service did not ask
  to close, and is dropped after `keepalive_seconds` idle;
- an idempotent request whose reused connection turns out closed before any byte of an
  answer is sent once more on a new one (RFC 9112 9.3.1), as aiohttp does;
- 1xx interim answers are skipped.
Anything that goes wrong on the wire is an `UpstreamError`; the caller decides the answer.
"""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import cast

import httptools

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Reading from the service pauses above this much unsent answer, resumes below the low mark.
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024

Body = bytes | AsyncIterator[bytes]


class UpstreamError(Exception):
    """The service could not be reached, or the exchange broke off."""


class _ClosedBeforeAnswer(UpstreamError):
    """The connection closed before any byte of an answer (a retry may be safe)."""


@dataclass(frozen=True)
class Origin:
    """Where a service listens (plain HTTP: the services sit on the private network)."""

    host: str
    port: int

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == 80 else f"{host}:{self.port}"


def parse_base_url(base_url: str) -> tuple[Origin, str]:
    """`http://host[:port][/prefix]` -> its origin and its path prefix (without a final /)."""
    scheme, sep, rest = base_url.partition("://")
    if scheme != "http" or not sep:
        raise ValueError(f"a service's base URL must be http://host[:port][/path]: {base_url!r}")
    authority, slash, path = rest.partition("/")
    host, colon, port = authority.rpartition(":")
    if not colon or host.endswith(":") or not port.isdigit():
        host, port = authority, "80"  # no port, or a bare IPv6 address in brackets
    host = host.removeprefix("[").removesuffix("]")
    if not host or not 0 < int(port) < 65536:
        raise ValueError(f"a service's base URL needs a host and a valid port: {base_url!r}")
    return Origin(host, int(port)), (slash + path).rstrip("/")


@dataclass
class _Exchange:
    """What one request/answer on a connection has seen so far."""

    no_body: bool  # an answer to HEAD
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    headers_done: bool = False
    interim: bool = False  # parsing a 1xx answer
    any_bytes: bool = False
    body: deque[bytes] = field(default_factory=deque)
    buffered: int = 0
    complete: bool = False
    keep_alive: bool = False
    error: UpstreamError | None = None


class Connection(asyncio.Protocol):
    """One keep-alive connection to a service; one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.paused = False
        self.exchange: _Exchange | None = None
        self.parser: httptools.HttpResponseParser | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._can_write = asyncio.Event()
        self._can_write.set()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        exchange = self.exchange
        if exchange is None or self.parser is None or exchange.complete:
            self.close()  # nothing was asked: the service is not speaking HTTP to us
            return
        exchange.any_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"malformed answer: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._can_write.set()
        exchange = self.exchange
        if exchange is None or exchange.complete:
            return
        if exchange.headers_done and self._ends_at_close(exchange):
            exchange.complete = True  # a body delimited by the end of the connection
            self.wake()
        elif exchange.any_bytes:
            self._fail(UpstreamError("the service closed the connection mid-answer"))
        else:
            self._fail(_ClosedBeforeAnswer("the service closed the connection"))

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        assert self.exchange is not None
        self.exchange.headers.append((name, value))

    def on_headers_complete(self) -> None:
        exchange, parser = self.exchange, self.parser
        assert exchange is not None and parser is not None
        status = parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            exchange.interim, exchange.headers = True, []
            return
        exchange.status = status
        exchange.headers_done = True
        if exchange.no_body:
            self._finish(keep_alive=False)
        self.wake()

    def on_body(self, body: bytes) -> None:
        exchange = self.exchange
        assert exchange is not None
        if exchange.complete:
            return
        exchange.body.append(body)
        exchange.buffered += len(body)
        if exchange.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self.wake()

    def on_message_complete(self) -> None:
        exchange, parser = self.exchange, self.parser
        assert exchange is not None and parser is not None
        if exchange.interim:
            exchange.interim = False
            return
        if not exchange.complete:
            self._finish(keep_alive=parser.should_keep_alive())
            self.wake()

    # used by the pool and the answer
    def begin(self, method: str) -> _Exchange:
        self.exchange = _Exchange(no_body=method == "HEAD")
        self.parser = httptools.HttpResponseParser(self)
        return self.exchange

    def write(self, data: bytes) -> None:
        if self.closed or self.transport is None:
            raise _ClosedBeforeAnswer("the connection is closed")
        self.transport.write(data)

    async def drained(self) -> None:
        await self._can_write.wait()
        if self.closed:
            raise UpstreamError("the service closed the connection while receiving the body")

    async def changed(self) -> None:
        """Until the exchange moves on (headers, a body chunk, the end, an error)."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def took(self, size: int) -> None:
        exchange = self.exchange
        assert exchange is not None
        exchange.buffered -= size
        if self.paused and exchange.buffered < LOW_WATER and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()

    @property
    def reusable(self) -> bool:
        exchange = self.exchange
        return (
            not self.closed
            and exchange is not None
            and exchange.complete
            and exchange.keep_alive
            and not self.paused
        )

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _finish(self, *, keep_alive: bool) -> None:
        assert self.exchange is not None
        self.exchange.complete = True
        self.exchange.keep_alive = keep_alive

    def _fail(self, error: UpstreamError) -> None:
        if self.exchange is not None and self.exchange.error is None:
            self.exchange.error = error
        self.wake()

    def wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    @staticmethod
    def _ends_at_close(exchange: _Exchange) -> bool:
        names = {name.lower() for name, _ in exchange.headers}
        return b"content-length" not in names and b"transfer-encoding" not in names


class UpstreamResponse:
    """A service's answer. Read it (`read` or `chunks`), then `release` it, always."""

    def __init__(self, pool: "UpstreamPool", origin: Origin, connection: Connection) -> None:
        exchange = connection.exchange
        assert exchange is not None
        self.status = exchange.status
        self.headers = exchange.headers
        self._pool, self._origin, self._connection = pool, origin, connection
        self._exchange = exchange
        self._released = False
        self.writer: asyncio.Task[None] | None = None

    @property
    def content_length(self) -> int | None:
        for name, value in self.headers:
            if name.lower() == b"content-length":
                return int(value) if value.isdigit() else None
        return None

    async def chunks(self) -> AsyncIterator[bytes]:
        exchange, connection = self._exchange, self._connection
        while True:
            while exchange.body:
                chunk = exchange.body.popleft()
                connection.took(len(chunk))
                yield chunk
            if exchange.complete:
                return
            if exchange.error is not None:
                raise exchange.error
            await connection.changed()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        writer, writer_busy = self.writer, False
        if writer is not None:
            writer_busy = not writer.done()
            if writer_busy:
                writer.cancel()  # answered before the whole body was sent
            elif not writer.cancelled():
                writer.exception()  # seen: a body that failed after the answer began
        reuse = self._connection.reusable and not writer_busy
        self._pool.release(self._origin, self._connection, reuse=reuse)


class UpstreamPool:
    """Keep-alive connections to the services, at most `limit` exchanges at once with each
    service: one that hangs holds its own slots, never another's."""

    def __init__(self, *, limit: int, connect_timeout: float, keepalive_seconds: float) -> None:
        self.connect_timeout = connect_timeout
        self.keepalive_seconds = keepalive_seconds
        self.limit = limit
        self._slots: dict[Origin, asyncio.Semaphore] = {}
        self._idle: dict[Origin, list[tuple[Connection, float]]] = {}

    def _slots_of(self, origin: Origin) -> asyncio.Semaphore:
        slots = self._slots.get(origin)
        if slots is None:
            slots = self._slots[origin] = asyncio.Semaphore(self.limit)
        return slots

    async def request(
        self,
        method: str,
        origin: Origin,
        target: bytes,
        headers: list[tuple[str, str]],
        body: Body,
    ) -> UpstreamResponse:
        slots = self._slots_of(origin)
        await slots.acquire()
        try:
            head = _request_head(method, origin, target, headers, body)
            replayable = method in IDEMPOTENT and isinstance(body, bytes)
            while True:
                connection, reused = await self._connection(origin)
                try:
                    return await self._exchange(connection, origin, method, head, body)
                except _ClosedBeforeAnswer:
                    connection.close()
                    if reused and replayable:
                        continue  # a stale keep-alive connection; the next one is new
                    raise
                except BaseException:
                    connection.close()
                    raise
        except BaseException:
            slots.release()
            raise

    def release(self, origin: Origin, connection: Connection, *, reuse: bool) -> None:
        if reuse:
            self._idle.setdefault(origin, []).append((connection, time.monotonic()))
        else:
            connection.close()
        self._slots_of(origin).release()

    def close(self) -> None:
        for idle in self._idle.values():
            for connection, _ in idle:
                connection.close()
        self._idle.clear()

    async def _exchange(
        self, connection: Connection, origin: Origin, method: str, head: bytes, body: Body
    ) -> UpstreamResponse:
        exchange = connection.begin(method)
        writer: asyncio.Task[None] | None = None
        if isinstance(body, bytes):
            connection.write(head + body)
        else:
            connection.write(head)
            writer = asyncio.ensure_future(_write_chunked(connection, body))
            writer.add_done_callback(lambda _: connection.wake())
        try:
            while not exchange.headers_done:
                if exchange.error is not None:
                    raise exchange.error
                if writer is not None and writer.done() and not writer.cancelled():
                    failed = writer.exception()
                    if failed is not None:
                        raise failed
                await connection.changed()
        except BaseException:
            if writer is not None and not writer.done():
                writer.cancel()
            raise
        response = UpstreamResponse(self, origin, connection)
        response.writer = writer
        return response

    async def _connection(self, origin: Origin) -> tuple[Connection, bool]:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection, since = idle.pop()
            if not connection.closed and now - since <= self.keepalive_seconds:
                return connection, True
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, protocol = await loop.create_connection(Connection, origin.host, origin.port)
        except (OSError, TimeoutError) as exc:
            raise UpstreamError(f"cannot connect to {origin.host_header}: {exc!r}") from None
        return protocol, False


def _request_head(
    method: str, origin: Origin, target: bytes, headers: list[tuple[str, str]], body: Body
) -> bytes:
    lines = [f"{method} ", target.decode("latin-1"), f" HTTP/1.1\r\nhost: {origin.host_header}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    if not isinstance(body, bytes):
        lines.append("transfer-encoding: chunked\r\n")
    elif body or method in BODY_METHODS:
        lines.append(f"content-length: {len(body)}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1")


async def _write_chunked(connection: Connection, chunks: AsyncIterator[bytes]) -> None:
    async for chunk in chunks:
        if chunk:
            connection.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
            await connection.drained()
    connection.write(b"0\r\n\r\n")
