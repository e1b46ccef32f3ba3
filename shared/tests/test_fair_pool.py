"""Waiting for a pooled connection: first come, first served (a newcomer cannot take a
connection given back while someone waits), a wait that times out is a clear error, and a
connection handed to a waiter that gave up at that moment is passed on, not lost."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from checkin_shared.db import make_engine
from checkin_shared.fair_pool import serve_first
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def one_connection(probe_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    url = probe_engine.url.render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    try:
        yield engine
    finally:
        await engine.dispose()


async def waiting(engine: AsyncEngine, order: list[str], name: str) -> None:
    connection = await engine.raw_connection()
    order.append(name)
    await asyncio.sleep(0.01)
    connection.close()


async def test_a_connection_given_back_goes_to_the_one_who_waited(
    one_connection: AsyncEngine,
) -> None:
    order: list[str] = []
    held = await one_connection.raw_connection()
    waiter = asyncio.create_task(waiting(one_connection, order, "waited"))
    await asyncio.sleep(0.05)  # it is waiting now
    held.close()
    # A newcomer asks at once, before the waiter has run (in this task, not a new one
    # as wait_for would make): it must queue behind it.
    async with asyncio.timeout(2):
        newcomer = await one_connection.raw_connection()
    order.append("newcomer")
    newcomer.close()
    await waiter
    assert order == ["waited", "newcomer"]


async def test_a_wait_longer_than_the_pool_timeout_is_an_error_and_leaks_nothing(
    one_connection: AsyncEngine,
) -> None:
    held = await one_connection.raw_connection()
    with pytest.raises(exc.TimeoutError):
        await one_connection.raw_connection()
    held.close()
    again = await asyncio.wait_for(one_connection.raw_connection(), 2)
    again.close()


async def test_a_connection_handed_to_a_waiter_that_gave_up_is_passed_on(
    one_connection: AsyncEngine,
) -> None:
    order: list[str] = []
    held = await one_connection.raw_connection()
    gave_up = asyncio.create_task(waiting(one_connection, order, "gave up"))
    await asyncio.sleep(0.05)
    held.close()  # handed to the waiter ...
    gave_up.cancel()  # ... which is cancelled before it could run
    with pytest.raises(asyncio.CancelledError):
        await gave_up
    again = await asyncio.wait_for(one_connection.raw_connection(), 2)  # not lost
    again.close()
    assert order == []


async def test_a_task_served_first_waits_ahead_of_everyone_else(
    one_connection: AsyncEngine,
) -> None:
    """Ahead of those who came before it; behind others served first, in their order."""
    order: list[str] = []

    async def served_first(name: str) -> None:
        serve_first()  # in this task's own context
        await waiting(one_connection, order, name)

    held = await one_connection.raw_connection()
    tasks = [asyncio.create_task(waiting(one_connection, order, "single 1"))]
    await asyncio.sleep(0.02)
    tasks.append(asyncio.create_task(served_first("line 1")))
    await asyncio.sleep(0.02)
    tasks.append(asyncio.create_task(waiting(one_connection, order, "single 2")))
    await asyncio.sleep(0.02)
    tasks.append(asyncio.create_task(served_first("line 2")))
    await asyncio.sleep(0.05)  # all four are waiting now
    held.close()
    async with asyncio.timeout(5):
        await asyncio.gather(*tasks)
    assert order == ["line 1", "line 2", "single 1", "single 2"]
    again = await asyncio.wait_for(one_connection.raw_connection(), 2)  # this task: in order
    again.close()


async def test_a_task_served_first_that_gives_up_leaks_nothing(
    one_connection: AsyncEngine,
) -> None:
    order: list[str] = []

    async def served_first() -> None:
        serve_first()
        await waiting(one_connection, order, "line")

    held = await one_connection.raw_connection()
    gave_up = asyncio.create_task(served_first())
    single = asyncio.create_task(waiting(one_connection, order, "single"))
    await asyncio.sleep(0.05)
    gave_up.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gave_up
    held.close()
    async with asyncio.timeout(5):
        await single
    assert order == ["single"]
