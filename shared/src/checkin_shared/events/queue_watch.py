"""The broker's side of the event flow, as metrics: how many messages wait in a consumer's
queue and its parking queue, and how many consumers its queue has. Each consuming service
watches its own queues, read over a connection of their own: a consumer whose channel is
gone still reports 0 consumers (a process that is down shows as a target that is down)."""

import asyncio
import contextlib

import aio_pika
from aio_pika.abc import AbstractConnection

from checkin_shared.events.metrics import QUEUE_CONSUMERS, QUEUE_MESSAGES
from checkin_shared.periodic import Periodic


class QueueWatch:
    """Watches `queues` (a consumer's main and parking queue; retry queues have no
    consumer by design and empty themselves)."""

    def __init__(self, amqp_url: str, queues: list[str], every_seconds: float) -> None:
        self.url = amqp_url
        self.queues = queues
        self.job = Periodic("queue-watch", every_seconds, self.report)
        self._connection: AbstractConnection | None = None

    async def report(self) -> None:
        """Reads each queue with a passive declare (never creates one)."""
        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self.url, timeout=5)
        try:
            for queue in self.queues:
                channel = await self._connection.channel()
                try:
                    declared = await channel.declare_queue(queue, passive=True)
                except aio_pika.exceptions.ChannelClosed:  # not declared yet: nothing waits
                    QUEUE_MESSAGES.labels(queue).set(0)
                    QUEUE_CONSUMERS.labels(queue).set(0)
                    continue
                result = declared.declaration_result
                QUEUE_MESSAGES.labels(queue).set(result.message_count or 0)
                QUEUE_CONSUMERS.labels(queue).set(result.consumer_count or 0)
                with contextlib.suppress(Exception):
                    await channel.close()
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        """Bounded: a connection cut mid-handshake (stopped during a report) can leave
        aio-pika's close waiting for an answer that never comes."""
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._connection.close(), 2)
            self._connection = None

    def start(self) -> None:
        self.job.start()

    async def stop(self) -> None:
        await self.job.stop()
        await self.close()
