"""Metrics an operator is paged on: the consumers' queues as the broker sees them, and
background tasks that fail or stop."""

import asyncio
import time
import uuid
from datetime import UTC, datetime

import aio_pika
from checkin_shared.events.contracts import UserRegisteredV1
from checkin_shared.events.envelope import wrap
from checkin_shared.events.queue_watch import QueueWatch
from checkin_shared.events.topology import queue_names
from checkin_shared.periodic import Periodic
from checkin_testkit.events import consumer_queues, private_exchange, publish_envelope
from prometheus_client import REGISTRY


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_the_queue_watch_reports_waiting_messages_and_consumers(
    amqp_url: str, test_run_id: str
) -> None:
    async with private_exchange(amqp_url, test_run_id) as exchange:
        await watch_a_consumers_queues(amqp_url, exchange)


async def watch_a_consumers_queues(amqp_url: str, exchange: str) -> None:
    names = queue_names(exchange, "notification")
    watch = QueueWatch(amqp_url, [names.main, names.parked], every_seconds=60)
    try:
        await watch.report()  # nothing declared yet: reported empty, nothing created
        assert gauge("events_queue_consumers", queue=names.main) == 0
        assert gauge("events_queue_messages", queue=names.main) == 0

        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            await consumer_queues(amqp_url, exchange, "notification")
            event = wrap(
                UserRegisteredV1(user_id=uuid.uuid4(), email="q@example.com", name="Q"),
                occurred_at=datetime.now(UTC),
            )
            await publish_envelope(amqp_url, exchange, event)
            await channel.default_exchange.publish(
                aio_pika.Message(b"{}"), routing_key=names.parked
            )
            await watch.report()
            assert gauge("events_queue_messages", queue=names.main) == 1
            assert gauge("events_queue_messages", queue=names.parked) == 1
            assert gauge("events_queue_consumers", queue=names.main) == 0

            queue = await channel.get_queue(names.main)
            taken = asyncio.Event()

            async def take(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                await message.ack()
                taken.set()

            await queue.consume(take)
            await asyncio.wait_for(taken.wait(), 10)
            await watch.report()
            assert gauge("events_queue_consumers", queue=names.main) == 1
            assert gauge("events_queue_messages", queue=names.main) == 0
    finally:
        await watch.stop()


async def test_a_background_task_counts_its_failures_and_its_last_success() -> None:
    task = f"probe-{uuid.uuid4().hex[:8]}"
    failing = {"now": True}

    async def action() -> None:
        if failing["now"]:
            raise RuntimeError("database gone")

    job = Periodic(task, every_seconds=60, action=action)
    await job.tick()
    assert gauge("scheduled_task_runs_total", task=task, outcome="failed") == 1
    assert gauge("scheduled_task_last_success_timestamp_seconds", task=task) is None
    failing["now"] = False
    started = time.time()
    await job.tick()
    assert gauge("scheduled_task_runs_total", task=task, outcome="ok") == 1
    last = gauge("scheduled_task_last_success_timestamp_seconds", task=task)
    assert last is not None and started <= last <= time.time()


async def test_a_background_task_stops_even_when_its_action_turns_the_cancel_into_an_error() -> (
    None
):
    """aio-pika, cancelled mid-handshake, raises its own error instead of CancelledError;
    the loop must still stop (it used to swallow that, and shutdown hung forever)."""
    started = asyncio.Event()

    async def converts_cancellation() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("connection closed") from None

    job = Periodic(
        f"probe-{uuid.uuid4().hex[:8]}", every_seconds=0.01, action=converts_cancellation
    )
    job.start()
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(job.stop(), 5)
