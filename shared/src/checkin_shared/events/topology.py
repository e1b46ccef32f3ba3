"""One topic exchange; per consuming service a durable quorum queue bound to the types it
handles, a retry queue that hands messages back after a delay, and a parking queue.
Each consumer declares its own queues and bindings (the types its handlers take): the
topology lives in the consumers and on the broker, and this module names no service.
Producers declare only the exchange; a publish that no declared binding routes is
returned by the broker and stays in the producer's outbox until one does."""

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

QUORUM: dict[str, Any] = {"x-queue-type": "quorum"}


@dataclass(frozen=True)
class QueueNames:
    main: str
    retry: str
    parked: str


def queue_names(exchange: str, service: str) -> QueueNames:
    main = f"{exchange}.{service}"
    return QueueNames(main, f"{main}.retry", f"{main}.parked")


async def declare_exchange(channel: AbstractChannel, exchange: str) -> AbstractExchange:
    return await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_service_queues(
    channel: AbstractChannel,
    exchange: AbstractExchange,
    service: str,
    event_types: list[str],
    retry_delay_ms: int,
) -> QueueNames:
    """A consumer's queues, its main queue bound to `event_types` (idempotent)."""
    names = queue_names(exchange.name, service)
    main = await channel.declare_queue(names.main, durable=True, arguments=QUORUM)
    for event_type in event_types:
        await main.bind(exchange, routing_key=event_type)
    await channel.declare_queue(
        names.retry,
        durable=True,
        arguments={
            **QUORUM,
            "x-message-ttl": retry_delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": names.main,
        },
    )
    await channel.declare_queue(names.parked, durable=True, arguments=QUORUM)
    return names
