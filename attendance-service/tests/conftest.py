import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from attendance_service.config import AttendanceSettings
from attendance_service.main import create_app
from checkin_shared.clock import FrozenClock
from checkin_shared.keysets import StaticKeySet
from checkin_testkit.apps import lifespan_client
from checkin_testkit.database import TestDatabase, run_migrations
from checkin_testkit.events import private_exchange
from checkin_testkit.tokens import TokenMinter

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def minter() -> TokenMinter:
    return TokenMinter()


@pytest.fixture(scope="session")
def attendance_database_url(test_database: TestDatabase) -> str:
    url = test_database.url_for("attendance_svc")
    run_migrations(ALEMBIC_INI, url)
    return url


@pytest.fixture(scope="session")
async def events_exchange(amqp_url: str, test_run_id: str) -> AsyncIterator[str]:
    consumers = ("reward", "notification")
    async with private_exchange(amqp_url, test_run_id, consumers=consumers) as name:
        yield name


@pytest.fixture(scope="session")
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def attendance_settings(
    attendance_database_url: str, amqp_url: str, events_exchange: str
) -> AttendanceSettings:
    return AttendanceSettings(
        environment="test",
        database_url=attendance_database_url,
        amqp_url=amqp_url,
        events_exchange=events_exchange,
        outbox_poll_seconds=0.2,
        log_json=False,
        campaign_rules_cache_seconds=0,  # rules published by a test apply to its next call
    )


@pytest.fixture(scope="session")
async def client(
    attendance_settings: AttendanceSettings, clock: FrozenClock, minter: TokenMinter
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(attendance_settings, clock=clock, keys=StaticKeySet(minter.jwks()))
    async with lifespan_client(app) as http:
        # its queue is bound once the consumer is connected (events before would be lost)
        await asyncio.wait_for(app.state.consumer.connected.wait(), 15)
        http.app = app  # type: ignore[attr-defined]
        yield http


@pytest.fixture
def shopper(minter: TokenMinter) -> Any:
    """Headers of a new eligible shopper (and its id as `.user_id`)."""
    import uuid

    class Shopper(dict[str, str]):
        user_id = uuid.uuid4()

    person = Shopper(minter.headers(user_id=Shopper.user_id))
    return person
