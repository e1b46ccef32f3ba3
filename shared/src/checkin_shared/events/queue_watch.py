"""The broker's side of the event flow, as metrics: for every consuming service, how many
messages wait in its queue and its parking queue, and how many consumers its queue has.
A producer watches them because a consumer that is down cannot report its own absence."""

import asyncio
import contextlib

import aio_pika
from aio_pika.abc import AbstractConnection

from checkin_shared.events.contracts import consuming_services
from checkin_shared.events.metrics import QUEUE_CONSUMERS, QUEUE_MESSAGES
from checkin_shared.events.topology import queue_names
from checkin_shared.periodic import Periodic


def watched_queues(exchange: str) -> list[str]:
    """Each consuming service's main and parking queue (retry queues have no consumer by
    design and empty themselves)."""
    queues: list[str] = []
    for service in consuming_services():
        names = queue_names(exchange, service)
        queues += [names.main, names.parked]
    return queues


class QueueWatch:
    def __init__(self, amqp_url: str, exchange: str, every_seconds: float) -> None:
        self.url = amqp_url
        self.queues = watched_queues(exchange)
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
