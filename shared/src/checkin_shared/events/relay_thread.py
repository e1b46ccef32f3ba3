"""The outbox relay on an event loop of its own, in a thread of the service's process.

In a busy service the request handlers keep the main loop full; a relay sharing that loop
waits a whole turn of it at every step of a batch (each database round trip, each
publish), and the bench saw its events wait seconds in the outbox. On its own loop the
relay only shares the interpreter, which switches threads every few milliseconds. Its
database engine, LISTEN connection and broker connection are all made on that loop."""

import asyncio
import contextlib
import threading
from collections.abc import Callable

import uvloop
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from checkin_shared.db import make_engine, make_session_factory
from checkin_shared.events.relay import OutboxRelay

RelayFactory = Callable[[async_sessionmaker[AsyncSession]], OutboxRelay]


class RelayThread:
    def __init__(self, make: RelayFactory, *, database_url: str, name: str) -> None:
        """`make` builds the relay on the thread's own loop, around a session factory of
        the relay's own (one connection: it never queues for the service's pool)."""
        self._make = make
        self._database_url = database_url
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._relay: OutboxRelay | None = None
        self._started = threading.Event()
        self._done: asyncio.Event | None = None
        self._error: BaseException | None = None

    async def start(self) -> None:
        self._thread.start()
        await asyncio.to_thread(self._started.wait)
        if self._error is not None:
            raise self._error

    async def stop(self) -> None:
        """Drain and stop the relay (within its own bound), then end the thread."""
        loop, done = self._loop, self._done
        if loop is None or done is None or not self._thread.is_alive():
            return
        loop.call_soon_threadsafe(done.set)
        await asyncio.to_thread(self._thread.join, 30)

    def _main(self) -> None:
        # uvloop, like the service's own loop (checkin_shared.accept_loop), not asyncio's own.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(self._run())

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._done = asyncio.Event()
        engine = make_engine(self._database_url, pool_size=1, max_overflow=0)
        try:
            relay = self._make(make_session_factory(engine))
            await relay.start()
        except BaseException as exc:
            self._error = exc
            self._started.set()
            await engine.dispose()
            return
        self._relay = relay
        self._started.set()
        try:
            await self._done.wait()
        finally:
            with contextlib.suppress(Exception):
                await relay.stop()
            with contextlib.suppress(Exception):
                await engine.dispose()
