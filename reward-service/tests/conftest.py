import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from checkin_shared.clock import FrozenClock
from checkin_shared.db import make_engine
from checkin_shared.keysets import StaticKeySet
from checkin_testkit.apps import lifespan_client
from checkin_testkit.database import TestDatabase, run_migrations
from checkin_testkit.events import private_exchange
from checkin_testkit.tokens import TokenMinter
from reward_service.config import RewardSettings
from reward_service.main import create_app
from sqlalchemy import text

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"
CAMPAIGN_START = date(2026, 1, 1)
_days = itertools.count(20)


@pytest.fixture(scope="session")
def minter() -> TokenMinter:
    return TokenMinter()


@pytest.fixture(scope="session")
def reward_database_url(test_database: TestDatabase) -> str:
    url = test_database.url_for("reward_svc")
    run_migrations(ALEMBIC_INI, url)
    return url


@pytest.fixture(scope="session")
async def events_exchange(amqp_url: str, test_run_id: str) -> AsyncIterator[str]:
    async with private_exchange(
        amqp_url, test_run_id, consumers=("notification", "attendance")
    ) as name:
        yield name


@pytest.fixture(scope="session")
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def settings_for(reward_database_url: str, amqp_url: str, events_exchange: str) -> Any:
    def build(**overrides: Any) -> RewardSettings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": reward_database_url,
            "amqp_url": amqp_url,
            "events_exchange": events_exchange,
            "outbox_poll_seconds": 0.2,
            "consumer_retry_delay_ms": 200,
            "stock_sweep_check_seconds": 3600,
            "log_json": False,
            **overrides,
        }
        return RewardSettings(**values)

    return build


@pytest.fixture(scope="session")
async def client(
    settings_for: Any, clock: FrozenClock, minter: TokenMinter
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(), clock=clock, keys=StaticKeySet(minter.jwks()))
    async with lifespan_client(app) as http:
        await asyncio.wait_for(app.state.consumer.connected.wait(), 15)  # queue bound
        admin = minter.headers(role="admin")
        campaign = {
            "name": "Daily check-in",
            "starts_on": CAMPAIGN_START.isoformat(),
            "timezone": "Asia/Seoul",
        }
        response = await http.put("/rewards/admin/campaign", json=campaign, headers=admin)
        assert response.status_code == 200, response.text
        http.app = app  # type: ignore[attr-defined]
        yield http


class Rewards:
    """What reward tests keep doing: tiers, shoppers, check-in days, direct SQL."""

    def __init__(
        self, client: httpx.AsyncClient, minter: TokenMinter, database_url: str, clock: FrozenClock
    ) -> None:
        self.client = client
        self.clock = clock
        self.minter = minter
        self.database_url = database_url
        self.admin = minter.headers(role="admin")

    def shopper(self) -> tuple[uuid.UUID, dict[str, str]]:
        user_id = uuid.uuid4()
        return user_id, self.minter.headers(user_id=user_id)

    @staticmethod
    def unique_days() -> int:
        """A required_days no other test uses (they are unique within the campaign)."""
        return next(_days)

    async def tier(self, **fields: Any) -> dict[str, Any]:
        body = {
            "name": f"tier {uuid.uuid4().hex[:6]}",
            "required_days": self.unique_days(),
            "kind": "item",
            "stock": 10,
            "low_stock_threshold": 0,
            **fields,
        }
        response = await self.client.post("/rewards/admin/tiers", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def give_days(self, user_ids: list[uuid.UUID], days: int) -> None:
        """Put `days` consecutive check-in days (from the campaign start) in the projection."""
        await self.sql(
            "INSERT INTO reward.attendance_day (user_id, day) "
            "SELECT u, CAST(:start AS date) + g FROM unnest(CAST(:users AS uuid[])) AS u, "
            "generate_series(0, :days - 1) AS g ON CONFLICT DO NOTHING",
            start=CAMPAIGN_START,
            users=[str(u) for u in user_ids],
            days=days,
        )

    async def sql(self, statement: str, **params: Any) -> list[Any]:
        engine = make_engine(self.database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()


@pytest.fixture
def rewards(
    client: httpx.AsyncClient, minter: TokenMinter, reward_database_url: str, clock: FrozenClock
) -> Rewards:
    return Rewards(client, minter, reward_database_url, clock)
