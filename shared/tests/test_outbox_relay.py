"""The outbox: committed events are published once; rolled back ones never; relays share."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from checkin_shared.events.contracts import UserRegisteredV1
from checkin_shared.events.outbox import add_event
from checkin_shared.events.relay import OutboxRelay
from checkin_shared.events.topology import queue_names
from checkin_testkit.database import TestDatabase
from checkin_testkit.events import consumer_queues, drain_queue, eventually, probe_relay
from sqlalchemy import func, select, text


@pytest.fixture(autouse=True)
async def notification_queues(amqp_url: str, exchange: str) -> None:
    """The relay publishes to what consumers declared: here, the notification consumer."""
    await consumer_queues(amqp_url, exchange, "notification")


def registered(email: str = "a@example.com") -> UserRegisteredV1:
    return UserRegisteredV1(user_id=uuid.uuid4(), email=email, name="A")


async def clear_outbox(sessions: Any, tables: dict[str, Any]) -> None:
    async with sessions() as session, session.begin():
        await session.execute(tables["outbox"].delete())


async def test_committed_events_are_published_once_and_rolled_back_ones_never(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
) -> None:
    await clear_outbox(probe_sessions, probe_tables)
    now = datetime.now(UTC)
    async with probe_sessions() as session:
        kept = await add_event(session, probe_tables["outbox"], registered(), occurred_at=now)
        await session.commit()
    async with probe_sessions() as session:
        await add_event(
            session, probe_tables["outbox"], registered("b@example.com"), occurred_at=now
        )
        await session.rollback()
    relay = probe_relay(probe_sessions, probe_tables, amqp_url, exchange, test_database)
    assert await relay.publish_batch() == 1
    assert await relay.publish_batch() == 0
    await relay.publisher.close()
    messages = await drain_queue(amqp_url, queue_names(exchange, "notification").main)
    assert [m.message_id for m in messages] == [str(kept.id)]
    body = json.loads(messages[0].body)
    assert body["type"] == "user.registered.v1" and body["data"]["email"] == "a@example.com"
    assert messages[0].delivery_mode == 2  # persistent


async def test_the_relay_wakes_on_notify_and_marks_rows_published(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
) -> None:
    await clear_outbox(probe_sessions, probe_tables)
    relay = probe_relay(
        probe_sessions, probe_tables, amqp_url, exchange, test_database, poll_seconds=30.0
    )  # so only NOTIFY can wake it in time
    await relay.start()
    try:
        await asyncio.sleep(0.5)  # let it go idle on its long poll
        async with probe_sessions() as session:
            await add_event(
                session, probe_tables["outbox"], registered(), occurred_at=datetime.now(UTC)
            )
            await session.commit()

        async def published() -> bool:
            async with probe_sessions() as session:
                pending = await session.scalar(
                    select(func.count()).where(probe_tables["outbox"].c.published_at.is_(None))
                )
            return bool(pending == 0)

        await eventually(published, within=5)
    finally:
        await relay.stop()


async def test_two_relays_on_one_outbox_publish_each_row_once(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
) -> None:
    await clear_outbox(probe_sessions, probe_tables)
    async with probe_sessions() as session:
        for i in range(300):
            await add_event(
                session,
                probe_tables["outbox"],
                registered(f"u{i}@example.com"),
                occurred_at=datetime.now(UTC),
            )
        await session.commit()
    relays = [
        probe_relay(probe_sessions, probe_tables, amqp_url, exchange, test_database, batch_size=20)
        for _ in range(2)
    ]

    async def drain(relay: OutboxRelay) -> int:
        total = 0
        while taken := await relay.publish_batch():
            total += taken
        return total

    counts = await asyncio.gather(*(drain(r) for r in relays))
    for relay in relays:
        await relay.publisher.close()
    assert sum(counts) == 300
    assert all(c > 0 for c in counts), counts  # both really worked
    messages = await drain_queue(amqp_url, queue_names(exchange, "notification").main)
    assert len(messages) == 300
    assert len({m.message_id for m in messages}) == 300


async def test_published_rows_are_pruned_after_the_retention_and_pending_ones_never(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
) -> None:
    from sqlalchemy import update

    await clear_outbox(probe_sessions, probe_tables)
    outbox = probe_tables["outbox"]
    async with probe_sessions() as session:
        old = await add_event(session, outbox, registered(), occurred_at=datetime.now(UTC))
        await add_event(session, outbox, registered(), occurred_at=datetime.now(UTC))
        await session.commit()
    relay = probe_relay(probe_sessions, probe_tables, amqp_url, exchange, test_database)
    assert await relay.publish_batch() == 2
    async with probe_sessions() as session, session.begin():
        await session.execute(
            update(outbox)
            .where(outbox.c.id == old.id)
            .values(published_at=func.now() - text("interval '8 days'"))
        )
        pending = await add_event(session, outbox, registered(), occurred_at=datetime.now(UTC))
        await session.execute(
            update(outbox)
            .where(outbox.c.id == pending.id)
            .values(created_at=func.now() - text("interval '30 days'"))
        )
    assert await relay.prune() == 1
    async with probe_sessions() as session:
        left = set((await session.execute(select(outbox.c.id))).scalars())
    assert old.id not in left
    assert pending.id in left  # unpublished rows are never pruned, however old
    await relay.publisher.close()


async def test_an_event_nobody_consumes_yet_does_not_stall_the_relay(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
) -> None:
    from checkin_shared.events.contracts import RewardStockAdjustedV1

    await clear_outbox(probe_sessions, probe_tables)
    unconsumed = RewardStockAdjustedV1(
        tier_id=uuid.uuid4(), delta=-1, stock=3, admin_id=uuid.uuid4(), reason="count"
    )
    async with probe_sessions() as session:
        await add_event(session, probe_tables["outbox"], unconsumed, occurred_at=datetime.now(UTC))
        kept = await add_event(
            session, probe_tables["outbox"], registered(), occurred_at=datetime.now(UTC)
        )
        await session.commit()
    relay = probe_relay(probe_sessions, probe_tables, amqp_url, exchange, test_database)
    assert await relay.publish_batch() == 2  # no NO_ROUTE failure, nothing left behind
    assert await relay.publish_batch() == 0
    await relay.publisher.close()
    messages = await drain_queue(amqp_url, queue_names(exchange, "notification").main)
    assert [m.message_id for m in messages] == [str(kept.id)]
