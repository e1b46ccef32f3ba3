"""One topic exchange; per consuming service a durable quorum queue bound to the types it
handles, a retry queue that hands messages back after a delay, and a parking queue.
Producers declare it too, so an event published before its consumer ever ran waits in
that consumer's queue instead of being returned as unroutable."""

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

from checkin_shared.events.contracts import consumed_by, consuming_services

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
    channel: AbstractChannel, exchange: AbstractExchange, service: str, retry_delay_ms: int
) -> QueueNames:
    names = queue_names(exchange.name, service)
    main = await channel.declare_queue(names.main, durable=True, arguments=QUORUM)
    for event_type in consumed_by(service):
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


async def declare_topology(
    channel: AbstractChannel, exchange_name: str, retry_delay_ms: int
) -> AbstractExchange:
    """The exchange and every consuming service's queues (idempotent)."""
    exchange = await declare_exchange(channel, exchange_name)
    for service in consuming_services():
        await declare_service_queues(channel, exchange, service, retry_delay_ms)
    return exchange
