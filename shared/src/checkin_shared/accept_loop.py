"""uvloop, with listening sockets that accept every waiting connection each time they are
ready, as asyncio's own loop does.

libuv (under uvloop) accepts one connection per turn of the loop since libuv 1.45
(libuv/libuv#3696). A turn of a busy service's loop runs every request that is ready, a
few milliseconds each, so a burst of new connections (the gateway opening 170 more to a
service at the start of a claim storm) was taken in at one per turn: the last ones waited
a second in the kernel's queue, with their requests already sent. Here the listening
socket is ours: on each wake its queue is drained (up to `backlog` at once) and each
connection is handed to uvloop (`connect_accepted_socket`), which runs it as before.

Used by every launch command: `uvicorn ... --loop checkin_shared.accept_loop:new_event_loop`.
TLS servers, which the services never run, keep uvloop's own server."""

import asyncio
import errno
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any

import uvloop

logger = logging.getLogger(__name__)

# accept() failures that say the process or the machine is out of something: stop for a
# moment rather than spin (what asyncio does)
_EXHAUSTED = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
PAUSE_WHEN_EXHAUSTED_SECONDS = 1.0


class DrainingServer(asyncio.AbstractServer):
    """Listening sockets whose queues are drained whenever they are readable."""

    def __init__(
        self,
        loop: uvloop.Loop,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        sockets: list[socket.socket],
        backlog: int,
    ) -> None:
        self._loop = loop
        self._protocol_factory = protocol_factory
        self._sockets = sockets
        self._backlog = max(backlog, 1)
        self._serving = False
        self._closed = asyncio.Event()
        self._handing_over: set[asyncio.Task[Any]] = set()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return tuple(self._sockets)

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    async def start_serving(self) -> None:
        self._listen()

    async def serve_forever(self) -> None:
        self._listen()
        await self._closed.wait()

    def close(self) -> None:
        """Stop accepting and close the listening sockets; connections already handed
        over stay open (the server above shuts them down itself)."""
        if self._closed.is_set():
            return
        self._stop_listening()
        for listener in self._sockets:
            listener.close()
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def _listen(self) -> None:
        if self._serving or self._closed.is_set():
            return
        self._serving = True
        for listener in self._sockets:
            self._loop.add_reader(listener.fileno(), self._accept, listener)

    def _stop_listening(self) -> None:
        if not self._serving:
            return
        self._serving = False
        for listener in self._sockets:
            self._loop.remove_reader(listener.fileno())

    def _accept(self, listener: socket.socket) -> None:
        for _ in range(self._backlog):
            try:
                connection, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return  # the queue is empty
            except ConnectionAbortedError:
                continue  # the client gave up while it waited in the queue
            except OSError as exc:
                if exc.errno not in _EXHAUSTED:
                    raise
                logger.error("cannot accept connections (%s); pausing", exc.strerror)
                self._stop_listening()
                self._loop.call_later(PAUSE_WHEN_EXHAUSTED_SECONDS, self._listen)
                return
            connection.setblocking(False)
            self._hand_over(connection)

    def _hand_over(self, connection: socket.socket) -> None:
        task = self._loop.create_task(
            self._loop.connect_accepted_socket(self._protocol_factory, connection)
        )
        self._handing_over.add(task)
        task.add_done_callback(self._handed_over)

    def _handed_over(self, task: asyncio.Task[Any]) -> None:
        self._handing_over.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("an accepted connection could not be set up: %r", task.exception())


def listening_sockets(
    host: str | Iterable[str] | None,
    port: int | None,
    *,
    family: int,
    flags: int,
    backlog: int,
    reuse_port: bool,
) -> list[socket.socket]:
    """Bound, listening, non-blocking sockets for every address of `host` (all
    interfaces when it is None or empty), as `loop.create_server` binds them."""
    hosts = [host] if host is None or isinstance(host, str) else list(host)
    addresses: list[tuple[Any, ...]] = []
    for name in hosts:
        found = socket.getaddrinfo(
            name or None, port, family=family, type=socket.SOCK_STREAM, flags=flags
        )
        addresses += [a for a in found if a not in addresses]
    sockets: list[socket.socket] = []
    try:
        for address_family, kind, proto, _, address in addresses:
            listener = socket.socket(address_family, kind, proto)
            sockets.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if address_family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
        for listener in sockets:
            listener.listen(backlog)
            listener.setblocking(False)
    except BaseException:
        for listener in sockets:
            listener.close()
        raise
    return sockets


class AcceptAllLoop(uvloop.Loop):
    async def create_server(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: str | Iterable[str] | None = None,
        port: int | None = None,
        *,
        family: int = socket.AF_UNSPEC,
        flags: int = socket.AI_PASSIVE,
        sock: socket.socket | None = None,
        backlog: int = 100,
        ssl: Any = None,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
        start_serving: bool = True,
        **tls: Any,
    ) -> asyncio.AbstractServer:
        if ssl is not None:
            uvloop_server: Any = super().create_server  # TLS: uvloop's own server
            return await uvloop_server(  # type: ignore[no-any-return]
                protocol_factory, host, port, family=family, flags=flags, sock=sock,
                backlog=backlog, ssl=ssl, reuse_address=reuse_address,
                reuse_port=reuse_port, start_serving=start_serving, **tls,
            )  # fmt: skip
        if sock is not None:
            if host is not None or port is not None:
                raise ValueError("host/port and sock can not be specified at the same time")
            sock.listen(backlog)
            sock.setblocking(False)
            sockets = [sock]
        else:
            sockets = listening_sockets(
                host, port, family=family, flags=flags, backlog=backlog,
                reuse_port=bool(reuse_port),
            )  # fmt: skip
        server = DrainingServer(self, protocol_factory, sockets, backlog)
        if start_serving:
            await server.start_serving()
        return server


def new_event_loop() -> AcceptAllLoop:
    return AcceptAllLoop()
