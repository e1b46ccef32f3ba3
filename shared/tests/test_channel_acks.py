"""Acks in runs (`ChannelAcks`), on a real RabbitMQ channel: what is acked is seen by
closing the consuming channel, which gives back to the queue every delivery not acked."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from aiormq.exceptions import ChannelInvalidStateError
from checkin_shared.events.acks import ChannelAcks
from checkin_testkit.events import eventually


@asynccontextmanager
async def three_deliveries(
    amqp_url: str,
) -> AsyncIterator[
    tuple[ChannelAcks, list[AbstractIncomingMessage], Callable[[], Awaitable[list[bytes]]]]
]:
    """Three messages delivered (not acked) on a consuming channel, the tracker of that
    channel, and `closed()`: closes the consuming channel and says what is back in the
    queue then (every delivery not acked)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        inspecting = await connection.channel()
        name = f"checkin.test.acks.{uuid.uuid4().hex[:8]}"
        queue = await inspecting.declare_queue(name, auto_delete=False)
        try:
            for n in range(3):
                await inspecting.default_exchange.publish(
                    aio_pika.Message(f"m{n}".encode()), routing_key=name
                )
            consuming = await connection.channel()
            delivered: list[AbstractIncomingMessage] = []

            async def take(message: AbstractIncomingMessage) -> None:
                delivered.append(message)

            await (await consuming.get_queue(name)).consume(take)

            async def all_three() -> bool:
                return len(delivered) == 3

            await eventually(all_three)
            acks = ChannelAcks(delivered[0].channel)
            for message in delivered:
                assert message.delivery_tag is not None
                acks.received(message.delivery_tag)

            async def closed() -> list[bytes]:
                await consuming.close()
                return await back_in(queue)

            yield acks, delivered, closed
        finally:
            await inspecting.queue_delete(name)


async def back_in(queue: AbstractQueue) -> list[bytes]:
    """The messages the queue holds again (taken off it)."""
    await asyncio.sleep(0.2)
    bodies = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        bodies.append(message.body)
    return bodies


def tags(messages: list[AbstractIncomingMessage]) -> list[int]:
    return [m.delivery_tag for m in messages if m.delivery_tag is not None]


async def test_settled_deliveries_above_an_unsettled_one_wait_for_it(amqp_url: str) -> None:
    async with three_deliveries(amqp_url) as (acks, delivered, closed):
        await acks.ack(tags(delivered[1:]))
        assert (acks.unsettled, acks.waiting) == (1, 2)
        assert sorted(await closed()) == [b"m0", b"m1", b"m2"]  # none was acked


async def test_once_the_lowest_is_settled_every_one_is_acked(amqp_url: str) -> None:
    async with three_deliveries(amqp_url) as (acks, delivered, closed):
        await acks.ack(tags(delivered[1:]))
        await acks.ack(tags(delivered[:1]))
        assert (acks.unsettled, acks.waiting) == (0, 0)
        assert await closed() == []


async def test_a_run_below_an_unsettled_one_is_acked_and_only_it(amqp_url: str) -> None:
    async with three_deliveries(amqp_url) as (acks, delivered, closed):
        await acks.ack(tags(delivered[:2]))
        assert (acks.unsettled, acks.waiting) == (1, 0)
        assert await closed() == [b"m2"]


async def test_a_requeued_delivery_lets_those_above_it_be_acked(amqp_url: str) -> None:
    async with three_deliveries(amqp_url) as (acks, delivered, closed):
        await acks.ack(tags(delivered[1:]))
        await acks.requeue(tags(delivered[:1])[0])
        assert (acks.unsettled, acks.waiting) == (0, 0)
        # m0 went back at once (to this channel's consumer again, so it is held there)
        assert await closed() == [b"m0"]


async def test_a_requeue_that_cannot_be_sent_leaves_the_delivery_unsettled(
    amqp_url: str,
) -> None:
    """A nack that fails (its channel is gone) must not let a later ack of many cover the
    delivery: it stays the lowest unsettled one."""
    async with three_deliveries(amqp_url) as (acks, delivered, closed):
        await acks.ack(tags(delivered[1:]))
        assert sorted(await closed()) == [b"m0", b"m1", b"m2"]
        with pytest.raises(ChannelInvalidStateError):
            await acks.requeue(tags(delivered[:1])[0])
        assert (acks.unsettled, acks.waiting) == (1, 2)
