"""A job run every few seconds in the background (its own guard decides if there is work).

Every tick is counted (`scheduled_task_runs_total` by outcome) and the last good one is
kept as a timestamp, so an operator sees a loop that stopped or keeps failing. A daily
job also reports when it last actually ran (`daily_task_last_run_timestamp_seconds`),
read from its own record so every replica tells the same story."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from prometheus_client import Counter, Gauge

log = logging.getLogger(__name__)

TASK_RUNS = Counter(
    "scheduled_task_runs_total", "Ticks of a background task, by outcome", ["task", "outcome"]
)
TASK_LAST_SUCCESS = Gauge(
    "scheduled_task_last_success_timestamp_seconds",
    "Unix time of the background task's last tick that did not fail",
    ["task"],
)
DAILY_TASK_LAST_RUN = Gauge(
    "daily_task_last_run_timestamp_seconds",
    "Unix time a once-a-day task last ran (by any replica); 0 if it never did",
    ["task"],
)


def report_daily_run(task: str, ran_at: datetime | None) -> None:
    DAILY_TASK_LAST_RUN.labels(task).set(ran_at.timestamp() if ran_at else 0.0)


class Periodic:
    def __init__(self, name: str, every_seconds: float, action: Callable[[], Awaitable[object]]):
        self.name = name
        self.every = every_seconds
        self.action = action
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop and wait for it, cancelling again should an action have turned
        the cancellation into an error of its own (aio-pika does, mid-handshake)."""
        task, self._task = self._task, None
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1)

    async def tick(self) -> None:
        """One run of the action, counted; a failure is logged and retried next tick."""
        try:
            await self.action()
        except Exception as exc:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise asyncio.CancelledError from exc  # we are being stopped: stop
            TASK_RUNS.labels(self.name, "failed").inc()
            log.warning("%s failed: %s", self.name, exc)
        else:
            TASK_RUNS.labels(self.name, "ok").inc()
            TASK_LAST_SUCCESS.labels(self.name).set(time.time())

    async def _loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.every)
