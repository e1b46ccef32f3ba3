"""One-statement work on the pool's own connection: each statement is its own transaction,
a refusal leaves the connection in the pool, and after the database was lost the next
statement goes through at once (every connection as old as the lost one is replaced)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from checkin_shared.db import make_engine
from checkin_shared.errors import ProblemError
from checkin_shared.outages import database_unavailable
from checkin_shared.single_statement import Statement, single_statement
from checkin_testkit.tcp_proxy import TcpProxy
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

NOTE = Statement.of(
    text("INSERT INTO probe.effect (event_id, note) VALUES (:event_id, :note) RETURNING id")
)
BACKEND = Statement.of(text("SELECT pg_backend_pid() + 0 * CAST(:nothing AS int)"))


async def notes(probe_engine: AsyncEngine, note: str) -> int:
    async with probe_engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT count(*) FROM probe.effect WHERE note = :n"), {"n": note}
        )
    return int(found or 0)


def test_named_values_become_numbered_ones_in_order_each_name_once() -> None:
    statement = Statement.of(text("SELECT :b, :a, CAST(:b AS int)"))
    assert statement.sql == "SELECT $1, $2, CAST($1 AS int)"
    assert statement.args({"a": 1, "b": 2, "unused": 3}) == [2, 1]


async def test_each_statement_is_its_own_transaction_and_a_refusal_keeps_what_it_wrote(
    probe_engine: AsyncEngine,
) -> None:
    note = f"single-{uuid.uuid4().hex[:8]}"
    used: list[int] = []

    async def note_then_refuse() -> None:
        async with single_statement(probe_engine) as connection:
            used.append(connection.get_server_pid())
            await NOTE.fetchrow(connection, {"event_id": uuid.uuid4(), "note": note})
            raise ProblemError(409, "refused", "Refused")

    with pytest.raises(ProblemError):
        await note_then_refuse()
    assert await notes(probe_engine, note) == 1  # the statement had committed itself
    async with single_statement(probe_engine) as connection:  # and its connection is reused
        assert connection.get_server_pid() == used[0]


async def test_a_failed_statement_writes_nothing(probe_engine: AsyncEngine) -> None:
    note = f"bad-{uuid.uuid4().hex[:8]}"
    with pytest.raises(asyncpg.DataError):
        async with single_statement(probe_engine) as connection:
            await NOTE.fetchrow(connection, {"event_id": uuid.uuid4(), "note": note + "\x00"})
    assert await notes(probe_engine, note) == 0


@pytest.fixture
async def engine_through_proxy(probe_engine: AsyncEngine) -> AsyncIterator[tuple[Any, TcpProxy]]:
    url = probe_engine.url
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    engine = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    try:
        yield engine, proxy
    finally:
        await engine.dispose()
        await proxy.stop()


async def test_after_a_lost_database_the_next_statement_goes_through(
    engine_through_proxy: tuple[AsyncEngine, TcpProxy],
) -> None:
    engine, proxy = engine_through_proxy

    async def backend() -> int:
        async with single_statement(engine) as connection:
            await asyncio.sleep(0.05)  # held a while, so the two below take two connections
            return int(await BACKEND.fetchval(connection, {"nothing": 0}))

    first = set(await asyncio.gather(backend(), backend()))
    assert len(first) == 2  # two connections now wait in the pool
    proxy.cut()
    with pytest.raises(Exception) as lost:  # noqa: PT011 (the driver's error, whichever)
        await backend()
    assert database_unavailable(lost.value)
    proxy.heal()
    after = await backend()  # not the other pooled connection, which is as dead
    assert after not in first
