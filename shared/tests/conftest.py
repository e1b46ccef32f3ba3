from collections.abc import AsyncIterator
from typing import Any

import pytest
from checkin_shared.db import make_engine, make_session_factory
from checkin_shared.events.tables import inbox_table, outbox_table
from checkin_testkit.database import TestDatabase
from checkin_testkit.events import private_exchange
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

PROBE = MetaData(schema="probe")
OUTBOX = outbox_table(PROBE, producer="probe")
INBOX = inbox_table(PROBE)
EFFECT = Table(
    "effect",
    PROBE,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("note", String(200)),
)


@pytest.fixture(scope="session")
async def probe_engine(test_database: TestDatabase) -> AsyncIterator[AsyncEngine]:
    """A scratch schema with an outbox, an inbox and an effects table, for library tests."""
    engine = make_engine(
        test_database.url_for(test_database.admin_url.split("//")[1].split("@")[0])
    )
    async with engine.begin() as conn:
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS probe"))
        await conn.run_sync(PROBE.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def probe_sessions(probe_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(probe_engine)


@pytest.fixture
async def exchange(amqp_url: str, test_run_id: str) -> AsyncIterator[str]:
    async with private_exchange(amqp_url, test_run_id) as name:
        yield name


@pytest.fixture
def probe_tables() -> dict[str, Any]:
    return {"outbox": OUTBOX, "inbox": INBOX, "effect": EFFECT}
