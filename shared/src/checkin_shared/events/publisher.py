"""Publishing to the exchange: persistent messages, publisher confirms, mandatory routing
with returns raised as errors, a timeout. After any failure the caller resets it and
connects again before the next batch."""

import asyncio
import contextlib
from typing import Any, cast

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from aiormq.channel import Channel as AmqpChannel

from checkin_shared.events.contracts import CONTRACTS
from checkin_shared.events.topology import declare_exchange


def must_route(event_type: str) -> bool:
    """Mandatory routing (a return is an error) unless the contract says the type may have
    no consumer at all. The broker decides from the bindings consumers declared: an event
    no consumer has bound yet is returned and stays in the outbox, retried until one has
    (an audit-only type would be returned forever, so it is published without it)."""
    contract = CONTRACTS.get(event_type)
    return contract is None or contract.must_route


class EventPublisher:
    def __init__(self, url: str, exchange: str, *, timeout: float) -> None:
        self.url = url
        self.exchange_name = exchange
        self.timeout = timeout
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def connect(self) -> AbstractExchange:
        """Connect (and declare the exchange) unless connected already."""
        async with self._lock:
            if self._exchange is not None and self.connected:
                return self._exchange
            await self.reset()
            connection = await aio_pika.connect(self.url, timeout=self.timeout)
            try:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                exchange = await declare_exchange(channel, self.exchange_name)
            except BaseException:
                await connection.close()
                raise
            self._connection, self._channel, self._exchange = connection, channel, exchange
            return exchange

    async def publish(self, envelope: dict[str, Any], body: bytes) -> None:
        """Returns once the broker confirmed the message; raises otherwise (a return of an
        unroutable mandatory message raises too). Never connects: a batch connects once
        first, so an outage costs one timeout, not one per message.

        Published through the AMQP channel with `wait=False`: a publish does not wait,
        under the channel's lock, for its frames to reach the socket (one event-loop turn
        each, which in a busy service made a batch of 100 take seconds); it still waits
        for the broker's confirm, which is what makes the message safe."""
        exchange, channel = self._exchange, self._channel
        if exchange is None or channel is None or not self.connected:
            raise ConnectionError("the publisher is not connected")
        message = aio_pika.Message(
            body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(envelope["id"]),
            type=envelope["type"],
            content_type="application/json",
            correlation_id=envelope.get("correlation_id"),
            app_id=envelope.get("producer"),
        )
        underlay = cast(AmqpChannel, await channel.get_underlay_channel())
        await underlay.basic_publish(
            message.body,
            exchange=exchange.name,
            routing_key=envelope["type"],
            properties=message.properties,
            mandatory=must_route(envelope["type"]),
            timeout=self.timeout,
            wait=False,
        )

    async def reset(self) -> None:
        """Drop the connection so the next publish makes a new one."""
        connection, self._connection = self._connection, None
        self._channel, self._exchange = None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 2)

    close = reset
