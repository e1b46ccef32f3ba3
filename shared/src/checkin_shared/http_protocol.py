"""uvicorn's httptools protocol with the two timeouts it lacks: a request's head must
arrive in full within `HTTP_HEADER_TIMEOUT_SECONDS`, and a body that has started must not
stall for longer than `HTTP_BODY_IDLE_TIMEOUT_SECONDS` between two pieces. Otherwise the
connection is closed: a client that sends headers without their blank line, or fewer
bytes than its Content-Length, cannot hold a connection (and its memory) forever.

Its writes go through `CoalescedWrites`: an answer's head and body leave in one write.

Used by every launch command:
`uvicorn ... --http checkin_shared.http_protocol:TimedHttpToolsProtocol`."""

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from checkin_shared.coalesced_writes import CoalescedWrites


def _seconds(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class TimedHttpToolsProtocol(HttpToolsProtocol):
    header_timeout = _seconds("HTTP_HEADER_TIMEOUT_SECONDS", 10.0)
    body_idle_timeout = _seconds("HTTP_BODY_IDLE_TIMEOUT_SECONDS", 10.0)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        coalesced = CoalescedWrites(transport, self.loop)
        super().connection_made(coalesced)  # type: ignore[arg-type]
        self._arm(self.header_timeout)  # the first request's head

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout)  # a later request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        if self.parser.get_method() and self._expects_body():
            self._arm(self.body_idle_timeout)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        if self._deadline is not None:
            self._arm(self.body_idle_timeout)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _expects_body(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length":
                return value.strip() not in (b"", b"0")
            if name == b"transfer-encoding":
                return True
        return False

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()  # the app, if it waits for the body, sees a disconnect
