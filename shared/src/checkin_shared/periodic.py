"""A job run every few seconds in the background (its own guard decides if there is work)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, every_seconds: float, action: Callable[[], Awaitable[object]]):
        self.name = name
        self.every = every_seconds
        self.action = action
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.action()
            except Exception as exc:  # retried at the next tick
                log.warning("%s failed: %s", self.name, exc)
            await asyncio.sleep(self.every)
