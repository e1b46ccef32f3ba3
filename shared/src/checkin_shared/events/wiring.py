"""Building the event machinery of a service from its settings."""

import asyncio
from collections.abc import Callable, Mapping

import aio_pika
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from checkin_shared.events.consumer import Batched, Handler, InboxConsumer
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.publisher import EventPublisher
from checkin_shared.events.relay import OutboxRelay
from checkin_shared.health import ReadinessCheck
from checkin_shared.settings import BrokerSettings

CHECKED_IN = AttendanceCheckedInV1.event_type


def make_relay(
    *,
    service: str,
    settings: BrokerSettings,
    database_url: str,
    outbox: Table,
    session_factory: async_sessionmaker[AsyncSession],
) -> OutboxRelay:
    publisher = EventPublisher(
        settings.amqp_url,
        settings.events_exchange,
        timeout=settings.publish_timeout_seconds,
    )
    return OutboxRelay(
        service=service,
        outbox=outbox,
        session_factory=session_factory,
        listen_dsn=database_url,
        publisher=publisher,
        batch_size=settings.outbox_batch_size,
        poll_seconds=settings.outbox_poll_seconds,
        linger_seconds=settings.outbox_linger_ms / 1000,
    )


def make_consumer(
    *,
    service: str,
    settings: BrokerSettings,
    inbox: Table,
    session_factory: async_sessionmaker[AsyncSession],
    handlers: Mapping[str, Handler | Batched],
    on_committed: Callable[[AsyncSession], None] | None = None,
) -> InboxConsumer:
    return InboxConsumer(
        service=service,
        url=settings.amqp_url,
        exchange=settings.events_exchange,
        inbox=inbox,
        session_factory=session_factory,
        handlers=handlers,
        prefetch=settings.consumer_prefetch,
        max_attempts=settings.consumer_max_attempts,
        retry_delay_ms=settings.consumer_retry_delay_ms,
        watch_seconds=settings.queue_watch_seconds,
        batch_size=settings.consumer_batch_size,
        linger_seconds=settings.consumer_linger_ms / 1000,
        linger_by_type={CHECKED_IN: settings.consumer_checkin_linger_ms / 1000},
        on_committed=on_committed,
    )


def broker_check(amqp_url: str) -> ReadinessCheck:
    async def check() -> None:
        connection = await aio_pika.connect(amqp_url, timeout=2)
        await asyncio.wait_for(connection.close(), 2)

    return check
