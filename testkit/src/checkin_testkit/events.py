"""Helpers for tests of event flows: an exchange of the test's own, and waiting for queues."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aio_pika
import aiormq
from checkin_shared.events.publisher import EventPublisher
from checkin_shared.events.relay import OutboxRelay
from checkin_shared.events.topology import declare_exchange, declare_service_queues, queue_names

# What each consuming service's handlers bind (each service declares it at start; a test
# that plays a consumer which is not running declares the same with `consumer_queues`).
SUBSCRIPTIONS: dict[str, list[str]] = {
    "attendance": [
        "reward.campaign_changed.v1",
        "reward.makeup_requested.v1",
        "user.eligibility_changed.v1",
        "user.profile_changed.v1",
        "user.registered.v1",
    ],
    "reward": [
        "attendance.checked_in.v1",
        "attendance.makeup_applied.v1",
        "attendance.makeup_refused.v1",
        "user.eligibility_changed.v1",
        "user.profile_changed.v1",
        "user.registered.v1",
    ],
    "notification": [
        "attendance.checked_in.v1",
        "purchase.recorded.v1",
        "reward.claimed.v1",
        "reward.fulfilment_changed.v1",
        "reward.points_changed.v1",
        "reward.points_expiring.v1",
        "reward.stock_low.v1",
        "user.eligibility_changed.v1",
        "user.profile_changed.v1",
        "user.registered.v1",
    ],
}


async def consumer_queues(
    amqp_url: str, exchange: str, service: str, *, retry_delay_ms: int = 1000
) -> None:
    """Declare `service`'s queues and bindings as its consumer does when it starts."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await declare_exchange(channel, exchange)
        await declare_service_queues(
            channel, declared, service, SUBSCRIPTIONS[service], retry_delay_ms
        )


@contextlib.asynccontextmanager
async def private_exchange(
    amqp_url: str, run_id: str, *, consumers: tuple[str, ...] = ()
) -> AsyncIterator[str]:
    """A fresh exchange name, with the queues of `consumers` declared as if they had run
    (a test of a producer alone reads them); its queues and the exchange are deleted
    afterwards."""
    name = f"checkin.test.{run_id}.{uuid.uuid4().hex[:8]}"
    for service in consumers:
        await consumer_queues(amqp_url, name, service)
    try:
        yield name
    finally:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            for service in SUBSCRIPTIONS:
                names = queue_names(name, service)
                for queue in (names.main, names.retry, names.parked):
                    with contextlib.suppress(Exception):
                        await channel.queue_delete(queue)
                    channel = await _reopen_if_closed(connection, channel)
            with contextlib.suppress(Exception):
                await channel.exchange_delete(name)


async def _reopen_if_closed(connection: Any, channel: Any) -> Any:
    return await connection.channel() if channel.is_closed else channel


async def drain_queue(amqp_url: str, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take every message now in `queue` (acked); none while the queue does not exist yet,
    or exists but is still starting: a quorum queue is visible to a passive declare before
    its leader runs, and a basic.get then closes the connection with `noproc`."""
    taken: list[aio_pika.abc.AbstractIncomingMessage] = []
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        try:
            source = await channel.get_queue(queue)
        except aiormq.exceptions.ChannelNotFoundEntity:
            return []
        while (message := await source.get(fail=False, no_ack=True)) is not None:
            taken.append(message)
    except aiormq.exceptions.ConnectionInternalError as exc:
        if "noproc" not in str(exc):
            raise
    finally:
        await connection.close()
    return taken


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 15.0, every: float = 0.1
) -> None:
    """Poll until `check()` is true; fail after `within` seconds (never a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within:g} s")
        await asyncio.sleep(every)


async def publish_envelope(amqp_url: str, exchange: str, envelope: Any) -> None:
    """Publish an event as a producer's relay would (routing key = type, id = message id)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        target = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await target.publish(
            aio_pika.Message(envelope.model_dump_json().encode(), message_id=str(envelope.id)),
            routing_key=envelope.type,
        )


def probe_relay(
    sessions: Any, tables: dict[str, Any], url: str, exchange: str, db: Any, **options: Any
) -> OutboxRelay:
    """An outbox relay of the library tests' probe schema (`tables["outbox"]`), listening
    with the test database's admin DSN and publishing to `exchange`."""
    return OutboxRelay(
        service="probe",
        outbox=tables["outbox"],
        session_factory=sessions,
        listen_dsn=db.admin_dsn,
        publisher=EventPublisher(url, exchange, timeout=3),
        **options,
    )
