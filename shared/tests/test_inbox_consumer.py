"""The inbox consumer: one effect per event, bounded retries, parking, replay, reconnects."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aio_pika
from checkin_shared.events import wiring
from checkin_shared.events.consumer import InboxConsumer
from checkin_shared.events.contracts import UserProfileChangedV1, UserRegisteredV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_shared.events.parking import list_parked, replay_parked
from checkin_shared.events.topology import queue_names
from checkin_shared.settings import BrokerSettings
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tcp_proxy import TcpProxy
from sqlalchemy import MetaData, Table, func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker


def envelope() -> Envelope:
    data = UserRegisteredV1(user_id=uuid.uuid4(), email="c@example.com", name="C")
    return wrap(data, occurred_at=datetime.now(UTC))


async def publish_raw(
    amqp_url: str, exchange: str, body: bytes, routing_key: str, message_id: str | None = None
) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        target = await channel.get_exchange(exchange)
        await target.publish(aio_pika.Message(body, message_id=message_id), routing_key=routing_key)


async def publish(amqp_url: str, exchange: str, env: Envelope) -> None:
    await publish_envelope(amqp_url, exchange, env)


@contextlib.asynccontextmanager
async def running(consumer: InboxConsumer) -> AsyncIterator[InboxConsumer]:
    await consumer.start()
    try:
        await asyncio.wait_for(consumer.connected.wait(), 15)
        yield consumer
    finally:
        await consumer.stop()


def make_consumer(
    url: str,
    exchange: str,
    sessions: Any,
    tables: dict[str, Any],
    handler: Any,
    *,
    more_handlers: dict[str, Any] | None = None,
    **kw: Any,
) -> InboxConsumer:
    """A consumer of registrations with `handler` (and of the types `more_handlers` name)."""
    return InboxConsumer(
        service="notification",
        url=url,
        exchange=exchange,
        inbox=tables["inbox"],
        session_factory=sessions,
        handlers={"user.registered.v1": handler, **(more_handlers or {})},
        **kw,
    )


def recording_handler(tables: dict[str, Any]) -> Any:
    async def handle(session: Any, env: Envelope, data: UserRegisteredV1) -> None:
        await session.execute(insert(tables["effect"]).values(event_id=env.id, note=data.email))

    return handle


async def effects_of(sessions: Any, tables: dict[str, Any], event_id: uuid.UUID) -> int:
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).where(tables["effect"].c.event_id == event_id)
        )
    return int(count or 0)


async def test_the_same_message_delivered_twice_has_one_effect(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    consumer = make_consumer(
        amqp_url, exchange, probe_sessions, probe_tables, recording_handler(probe_tables)
    )
    env = envelope()
    async with running(consumer):
        await publish(amqp_url, exchange, env)
        await publish(amqp_url, exchange, env)
        marker = envelope()  # published after both copies: once it is handled, so are they
        await publish(amqp_url, exchange, marker)

        async def marker_handled() -> bool:
            return await effects_of(probe_sessions, probe_tables, marker.id) == 1

        await eventually(marker_handled)
    assert await effects_of(probe_sessions, probe_tables, env.id) == 1


async def test_a_failing_handler_is_retried_then_parked_and_replay_brings_it_back(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    calls: list[uuid.UUID] = []
    broken = {"yes": True}
    record = recording_handler(probe_tables)

    async def flaky(session: Any, env: Envelope, data: UserRegisteredV1) -> None:
        calls.append(env.id)
        await record(session, env, data)  # written, then rolled back by the failure
        if broken["yes"]:
            raise RuntimeError("mail server says no")

    consumer = make_consumer(
        amqp_url, exchange, probe_sessions, probe_tables, flaky, max_attempts=3, retry_delay_ms=100
    )
    env = envelope()
    async with running(consumer):
        await publish(amqp_url, exchange, env)

        async def parked() -> bool:
            return len(await list_parked(amqp_url, exchange, "notification")) == 1

        await eventually(parked)
        assert calls == [env.id] * 3  # the bounded number of attempts, no more
        assert await effects_of(probe_sessions, probe_tables, env.id) == 0  # nothing half-done
        [item] = await list_parked(amqp_url, exchange, "notification")
        assert item.message_id == str(env.id)
        assert item.attempts == 3 and "mail server says no" in item.reason

        broken["yes"] = False
        assert await replay_parked(amqp_url, exchange, "notification") == 1

        async def handled() -> bool:
            return await effects_of(probe_sessions, probe_tables, env.id) == 1

        await eventually(handled)
    assert await list_parked(amqp_url, exchange, "notification") == []


async def test_an_undecodable_message_is_parked_at_once(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    calls: list[Any] = []

    async def handler(*args: Any) -> None:
        calls.append(args)

    consumer = make_consumer(amqp_url, exchange, probe_sessions, probe_tables, handler)
    async with running(consumer):
        await publish_raw(amqp_url, exchange, b"{not json", "user.registered.v1", "junk-1")
        wrong = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "type": "user.registered.v1",
                "occurred_at": "2026-11-21T00:00:00Z",
                "producer": "auth",
                "data": {"user_id": "not-a-uuid"},
            }
        ).encode()
        await publish_raw(amqp_url, exchange, wrong, "user.registered.v1", "junk-2")

        async def both_parked() -> bool:
            return len(await list_parked(amqp_url, exchange, "notification")) == 2

        await eventually(both_parked)
    parked = await list_parked(amqp_url, exchange, "notification")
    assert {p.message_id for p in parked} == {"junk-1", "junk-2"}
    assert all(p.reason.startswith("undecodable") for p in parked)
    assert calls == []


async def test_a_consumer_keeps_consuming_after_its_connection_is_dropped(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    broker = urlsplit(amqp_url)
    proxy = await TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672).start()
    consumer = make_consumer(
        proxy.url_for(amqp_url, 5672),
        exchange,
        probe_sessions,
        probe_tables,
        recording_handler(probe_tables),
    )
    try:
        async with running(consumer):
            before = envelope()
            await publish(amqp_url, exchange, before)

            async def handled(env: Envelope) -> bool:
                return await effects_of(probe_sessions, probe_tables, env.id) == 1

            await eventually(lambda: handled(before))
            for _ in range(2):  # a dropped connection, then a real outage
                proxy.cut()
                await asyncio.sleep(0.5)
                assert not consumer.connected.is_set()
                proxy.heal()
                after = envelope()
                await publish(amqp_url, exchange, after)  # sent while it reconnects
                await eventually(lambda env=after: handled(env), within=20)  # type: ignore[misc]
            consumers = await queue_consumer_count(
                amqp_url, queue_names(exchange, "notification").main
            )
            assert consumers == 1  # came back once, not twice
    finally:
        await proxy.stop()


async def queue_consumer_count(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.consumer_count or 0)


async def test_a_batch_with_one_failing_event_handles_the_others_once_and_parks_that_one(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    """Deliveries that wait together share a transaction; when one of them fails, the
    batch falls back to one delivery at a time: the others take effect exactly once, the
    failing one alone is retried and parked."""
    record = recording_handler(probe_tables)
    poison = envelope()
    batches: list[int] = []

    async def picky(session: Any, env: Envelope, data: UserRegisteredV1) -> None:
        await record(session, env, data)
        if env.id == poison.id:
            raise RuntimeError("this one is bad")

    consumer = make_consumer(
        amqp_url,
        exchange,
        probe_sessions,
        probe_tables,
        picky,
        max_attempts=2,
        retry_delay_ms=100,
        batch_size=64,
        on_committed=lambda session: batches.append(1),
    )
    good = [envelope() for _ in range(40)]
    # Published before the consumer starts, so that they arrive together.
    await consumer_queues_for(amqp_url, exchange)
    for env in [*good[:20], poison, *good[20:]]:
        await publish(amqp_url, exchange, env)
    async with running(consumer):

        async def settled() -> bool:
            handled = [await effects_of(probe_sessions, probe_tables, e.id) for e in good]
            parked = await list_parked(amqp_url, exchange, "notification")
            return handled == [1] * len(good) and len(parked) == 1

        await eventually(settled)
    assert await effects_of(probe_sessions, probe_tables, poison.id) == 0
    # 41 deliveries committed in fewer transactions than deliveries: they were grouped.
    assert 1 <= len(batches) < len(good)


async def consumer_queues_for(amqp_url: str, exchange: str) -> None:
    from checkin_testkit.events import consumer_queues

    await consumer_queues(amqp_url, exchange, "notification", retry_delay_ms=100)


async def test_a_batched_handler_gets_runs_of_its_type_in_delivery_order(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    """Consecutive events of a type whose handler is `Batched` reach it together; other
    types in between are handled one by one, in the order they were delivered."""
    from checkin_shared.events.consumer import Batched
    from checkin_shared.events.contracts import PurchaseRecordedV1

    seen: list[tuple[str, int]] = []

    async def many(session: Any, events: list[tuple[Envelope, Any]]) -> None:
        seen.append(("registered", len(events)))

    async def one(session: Any, env: Envelope, data: Any) -> None:
        seen.append(("purchase", 1))

    consumer = InboxConsumer(
        service="notification",
        url=amqp_url,
        exchange=exchange,
        inbox=probe_tables["inbox"],
        session_factory=probe_sessions,
        handlers={"user.registered.v1": Batched(many), "purchase.recorded.v1": one},
        linger_seconds=0.2,
    )
    purchase = wrap(
        PurchaseRecordedV1(user_id=uuid.uuid4(), order_id="o-1", purchased_at=datetime.now(UTC)),
        occurred_at=datetime.now(UTC),
    )
    await consumer_queues_for_run(amqp_url, exchange)
    for env in [envelope(), envelope(), envelope(), purchase, envelope(), envelope()]:
        await publish(amqp_url, exchange, env)
    async with running(consumer):

        async def all_seen() -> bool:
            return sum(n for _, n in seen) == 6

        await eventually(all_seen)
    assert seen == [("registered", 3), ("purchase", 1), ("registered", 2)]


async def consumer_queues_for_run(amqp_url: str, exchange: str) -> None:
    from checkin_testkit.events import consumer_queues

    await consumer_queues(amqp_url, exchange, "notification")


async def test_each_commit_is_reported_with_the_session_its_handlers_used(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    """`on_committed` gets the committed batch's session, so a service can tell what the
    batch did (the notification service wakes its sender only if mail was queued)."""
    record = recording_handler(probe_tables)
    committed: list[set[uuid.UUID]] = []

    async def marking(session: Any, env: Envelope, data: UserRegisteredV1) -> None:
        await record(session, env, data)
        session.info.setdefault("handled", set()).add(env.id)

    consumer = make_consumer(
        amqp_url,
        exchange,
        probe_sessions,
        probe_tables,
        marking,
        on_committed=lambda session: committed.append(session.info["handled"]),
    )
    sent = [envelope() for _ in range(5)]
    async with running(consumer):
        for env in sent:
            await publish(amqp_url, exchange, env)

        async def all_reported() -> bool:
            return set().union(*committed) == {e.id for e in sent}

        await eventually(all_reported)
    assert sum(len(ids) for ids in committed) == len(sent)  # each in exactly one commit


def lingering_consumer(
    amqp_url: str,
    exchange: str,
    sessions: Any,
    tables: dict[str, Any],
    committed: list[set[uuid.UUID]],
    profile_linger: float,
) -> InboxConsumer:
    """Takes registrations (no linger) and profile changes (`profile_linger` seconds);
    reports the profile changes of each commit."""
    record = recording_handler(tables)

    async def marking(session: Any, env: Envelope, data: Any) -> None:
        await session.execute(insert(tables["effect"]).values(event_id=env.id, note=env.type))
        session.info.setdefault("handled", set()).add(env.id)

    return make_consumer(
        amqp_url,
        exchange,
        sessions,
        tables,
        record,
        more_handlers={"user.profile_changed.v1": marking},
        on_committed=lambda session: committed.append(set(session.info.get("handled", ()))),
        linger_seconds=0.0,
        linger_by_type={"user.profile_changed.v1": profile_linger},
    )


def profile_changed() -> Envelope:
    data = UserProfileChangedV1(user_id=uuid.uuid4(), email="p@example.com", name="P")
    return wrap(data, occurred_at=datetime.now(UTC))


async def test_a_type_with_a_longer_linger_gathers_deliveries_that_arrive_apart(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    """Profile changes published one by one, 50 ms apart, under a linger of 2 s for their
    type (none for others): one batch, one commit, instead of one each."""
    committed: list[set[uuid.UUID]] = []
    consumer = lingering_consumer(
        amqp_url, exchange, probe_sessions, probe_tables, committed, profile_linger=2.0
    )
    sent = [profile_changed() for _ in range(4)]
    async with running(consumer):
        for env in sent:
            await publish(amqp_url, exchange, env)
            await asyncio.sleep(0.05)

        async def all_committed() -> bool:
            return set().union(*committed) == {e.id for e in sent}

        await eventually(all_committed)
    assert committed == [{e.id for e in sent}]


async def test_a_delivery_with_a_short_linger_cuts_short_the_wait_of_those_before_it(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    """A profile change may wait 60 s for company; a registration (no linger) arriving
    meanwhile is handled at once, and the waiting profile change with it."""
    committed: list[set[uuid.UUID]] = []
    consumer = lingering_consumer(
        amqp_url, exchange, probe_sessions, probe_tables, committed, profile_linger=60.0
    )
    patient, urgent = profile_changed(), envelope()
    async with running(consumer):
        await publish(amqp_url, exchange, patient)
        await asyncio.sleep(0.5)
        assert await effects_of(probe_sessions, probe_tables, patient.id) == 0  # still waiting
        await publish(amqp_url, exchange, urgent)

        async def both_handled() -> bool:
            handled = [
                await effects_of(probe_sessions, probe_tables, e.id) for e in (patient, urgent)
            ]
            return handled == [1, 1]

        await eventually(both_handled, within=10)
    assert len(committed) == 1  # one batch


def test_a_service_consumer_lets_check_ins_wait_longer_than_other_events() -> None:
    """The settings' check-in linger (40 ms by default) applies to check-in events only;
    every other type keeps `consumer_linger_ms` (10 ms)."""

    def consumer_of(settings: BrokerSettings) -> InboxConsumer:
        return wiring.make_consumer(
            service="reward",
            settings=settings,
            inbox=Table("inbox", MetaData()),
            session_factory=async_sessionmaker(),
            handlers={"attendance.checked_in.v1": recording_handler({})},
        )

    settings = BrokerSettings()
    consumer = consumer_of(settings)
    assert consumer.linger_by_type == {"attendance.checked_in.v1": 0.04}
    assert consumer.linger == 0.01
    changed = consumer_of(settings.model_copy(update={"consumer_checkin_linger_ms": 5}))
    assert changed.linger_by_type == {"attendance.checked_in.v1": 0.005}


async def test_every_handled_delivery_is_acked_so_none_comes_back_after_a_stop(
    probe_sessions: Any, probe_tables: dict[str, Any], amqp_url: str, exchange: str
) -> None:
    """Acks go in runs (one ack of many per batch); each handled delivery is in one of
    them: once the consumer stops (its channel closed), nothing is given back to the
    queue. A parked one (undecodable) is settled too, in the middle of the others."""
    consumer = make_consumer(
        amqp_url, exchange, probe_sessions, probe_tables, recording_handler(probe_tables)
    )
    sent = [envelope() for _ in range(30)]
    async with running(consumer):
        for env in sent[:15]:
            await publish(amqp_url, exchange, env)
        bad = f"bad-{uuid.uuid4()}"
        await publish_raw(amqp_url, exchange, b"not json", "user.registered.v1", message_id=bad)
        for env in sent[15:]:
            await publish(amqp_url, exchange, env)

        async def all_handled() -> bool:
            handled = [await effects_of(probe_sessions, probe_tables, e.id) for e in sent]
            return handled == [1] * len(sent)

        await eventually(all_handled)
        await asyncio.sleep(0.3)  # the last batch's ack on its way
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            queue_names(exchange, "notification").main, passive=True
        )
        assert queue.declaration_result.message_count == 0
    parked = await list_parked(amqp_url, exchange, "notification")
    assert [item.message_id for item in parked].count(bad) == 1
