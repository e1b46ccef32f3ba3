"""A transport whose writes within one turn of the event loop leave as one.

uvicorn writes an answer's head and its body with two `transport.write` calls, and uvloop
sends each at once: two syscalls and two TCP segments (the socket has TCP_NODELAY), so
the peer (the gateway's pool, or the gateway's client) is woken and parses twice per
answer, and on loopback the sender pays for the receiver's side of both as well. Here the
writes of one turn are joined and written once, by a callback scheduled with the first:
a handler that sends its head and body without waiting in between (every JSON answer)
costs one write; one that waits between chunks (a stream) still has each chunk sent in
the turn it was written. Closing writes what is pending first.
"""

import asyncio
from typing import Any


class CoalescedWrites:
    """Stands in for the connection's transport (every other method is the transport's)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
