"""How the relay hears of new rows: its own process wakes it after the commit (no NOTIFY,
whose commit lock lines up every committing transaction in the cluster); a process
without a relay still NOTIFYs."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from checkin_shared.events import wake
from checkin_shared.events.contracts import UserRegisteredV1
from checkin_shared.events.outbox import add_event, notify_channel
from checkin_shared.events.relay_thread import RelayThread
from checkin_testkit.database import TestDatabase
from checkin_testkit.events import consumer_queues, eventually, probe_relay
from sqlalchemy import func, select, text


def registered() -> UserRegisteredV1:
    return UserRegisteredV1(user_id=uuid.uuid4(), email="w@example.com", name="W")


class Notifications:
    def __init__(self) -> None:
        self.count = 0
        self.arrived = asyncio.Event()

    def __call__(self, *_: Any) -> None:
        self.count += 1
        self.arrived.set()


@pytest.fixture
async def notifications(
    test_database: TestDatabase, probe_tables: dict[str, Any]
) -> AsyncIterator[Notifications]:
    """What a LISTEN on the outbox's channel hears."""
    listener = await asyncpg.connect(test_database.admin_dsn)
    heard = Notifications()
    await listener.add_listener(notify_channel(probe_tables["outbox"]), heard)
    try:
        yield heard
    finally:
        await listener.close()


@pytest.fixture
def hints(probe_tables: dict[str, Any]) -> Any:
    """A relay's hint, registered for the probe outbox while the test runs."""
    calls: list[str] = []
    unregister = wake.register(probe_tables["outbox"], lambda: calls.append("hint"))
    yield calls
    unregister()


async def write_event(session: Any, probe_tables: dict[str, Any]) -> None:
    await add_event(session, probe_tables["outbox"], registered(), occurred_at=datetime.now(UTC))


async def test_without_a_relay_in_the_process_a_write_notifies_at_commit(
    probe_sessions: Any, probe_tables: dict[str, Any], notifications: Notifications
) -> None:
    assert wake.notify_needed(probe_tables["outbox"])
    async with probe_sessions() as session:
        await write_event(session, probe_tables)
        await session.commit()
    await asyncio.wait_for(notifications.arrived.wait(), 2)


async def test_with_a_relay_in_the_process_a_commit_hints_it_and_does_not_notify(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    notifications: Notifications,
    hints: list[str],
) -> None:
    assert not wake.notify_needed(probe_tables["outbox"])
    async with probe_sessions() as session:
        await write_event(session, probe_tables)
        await write_event(session, probe_tables)
        await session.flush()
        assert hints == []  # not before the rows can be seen
        await session.commit()
    assert hints == ["hint"]  # once per commit
    async with probe_sessions() as session:
        await write_event(session, probe_tables)
        await session.rollback()
    async with probe_sessions() as session:
        await session.execute(text("SELECT 1"))
        await session.commit()
    assert hints == ["hint"]  # a rolled back write, and a commit without events: nothing
    await asyncio.sleep(0.3)
    assert notifications.count == 0


async def test_savepoints_do_not_decide_the_wake(
    probe_sessions: Any, probe_tables: dict[str, Any], hints: list[str]
) -> None:
    async with probe_sessions() as session:
        async with session.begin_nested():
            await write_event(session, probe_tables)
        assert hints == []  # released, but the outer transaction has not committed
        await write_event(session, probe_tables)
        savepoint = await session.begin_nested()
        await session.execute(text("SELECT 1"))
        await savepoint.rollback()  # the outer transaction's events still stand
        await session.commit()
    assert hints == ["hint"]


async def test_an_unregistered_relay_is_not_hinted_and_writes_notify_again(
    probe_tables: dict[str, Any],
) -> None:
    calls: list[int] = []
    unregister = wake.register(probe_tables["outbox"], lambda: calls.append(1))
    wake.written(probe_tables["outbox"])
    unregister()
    wake.written(probe_tables["outbox"])
    assert calls == [1]
    assert wake.notify_needed(probe_tables["outbox"])


async def pending(probe_sessions: Any, probe_tables: dict[str, Any]) -> int:
    outbox = probe_tables["outbox"]
    async with probe_sessions() as session:
        count = await session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
    return int(count or 0)


async def test_a_running_relay_is_woken_from_another_thread_by_a_commit_here(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
    notifications: Notifications,
) -> None:
    """The relay runs on a loop of its own in a thread, with its own engine (as in the
    services); the commit on this loop wakes it, and no NOTIFY is sent."""
    await consumer_queues(amqp_url, exchange, "notification")
    async with probe_sessions() as session, session.begin():
        await session.execute(probe_tables["outbox"].delete())
    url = test_database.url_for(test_database.admin_url.split("//")[1].split("@")[0])
    thread = RelayThread(
        lambda sessions: probe_relay(
            sessions, probe_tables, amqp_url, exchange, test_database, poll_seconds=30.0
        ),
        database_url=url,
        name="probe-relay",
    )
    await thread.start()
    try:
        await asyncio.sleep(0.5)  # idle on its 30 s poll
        async with probe_sessions() as session:
            await write_event(session, probe_tables)
            await session.commit()

        async def published() -> bool:
            return await pending(probe_sessions, probe_tables) == 0

        await eventually(published, within=5)
        assert notifications.count == 0
    finally:
        await thread.stop()
    assert wake.notify_needed(probe_tables["outbox"])  # unregistered when it stopped


async def test_a_relay_still_hears_a_notify_from_a_process_without_one(
    probe_sessions: Any,
    probe_tables: dict[str, Any],
    amqp_url: str,
    exchange: str,
    test_database: TestDatabase,
) -> None:
    """A CLI command or a migration writes rows and NOTIFYs (no relay runs there)."""
    await consumer_queues(amqp_url, exchange, "notification")
    async with probe_sessions() as session, session.begin():
        await session.execute(probe_tables["outbox"].delete())
    relay = probe_relay(
        probe_sessions, probe_tables, amqp_url, exchange, test_database, poll_seconds=30.0
    )  # so only a hint or a NOTIFY can wake it in time
    await relay.start()
    try:
        await asyncio.sleep(0.5)
        elsewhere = await asyncpg.connect(test_database.admin_dsn)
        try:
            async with elsewhere.transaction():
                await elsewhere.execute(
                    f"INSERT INTO {probe_tables['outbox'].fullname} (id, event_type, payload) "  # noqa: S608
                    "VALUES ($1, 'user.registered.v1', $2::jsonb)",
                    uuid.uuid4(),
                    registered_envelope(),
                )
                await elsewhere.execute(
                    "SELECT pg_notify($1, '')", notify_channel(probe_tables["outbox"])
                )
        finally:
            await elsewhere.close()

        async def published() -> bool:
            return await pending(probe_sessions, probe_tables) == 0

        await eventually(published, within=5)
    finally:
        await relay.stop()


def registered_envelope() -> str:
    from checkin_shared.events.envelope import wrap

    envelope = wrap(registered(), occurred_at=datetime.now(UTC), producer="probe")
    return envelope.model_dump_json()
