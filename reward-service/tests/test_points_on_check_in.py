"""What a check-in day brings, fed by real attendance events: the campaign's daily points
(exactly once per shopper and day, even when the event or the day arrives twice) and the
points tiers granted by themselves when reached (`grant: auto`), never beyond stock."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_testkit.events import eventually, publish_envelope

CAMPAIGN = {"name": "Daily check-in", "starts_on": "2026-01-01", "timezone": "Asia/Seoul"}


def checked_in(user: uuid.UUID, day: date) -> Envelope:
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    data = AttendanceCheckedInV1(user_id=user, day=day, checked_at=at, total_days=1)
    return wrap(data, occurred_at=at)


@pytest.fixture
async def daily_points(client: httpx.AsyncClient, rewards: Any) -> AsyncIterator[int]:
    """The session's campaign pays 10 points a day for this test only."""
    put = await client.put(
        "/rewards/admin/campaign", json={**CAMPAIGN, "daily_points": 10}, headers=rewards.admin
    )
    assert put.status_code == 200 and put.json()["daily_points"] == 10
    yield 10
    await client.put("/rewards/admin/campaign", json=CAMPAIGN, headers=rewards.admin)


async def balance(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/rewards/me/points", headers=headers)).json()["balance"])


async def test_every_check_in_day_pays_the_daily_points_exactly_once(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str, daily_points: int
) -> None:
    user, headers = rewards.shopper()
    first = checked_in(user, date(2026, 11, 3))
    await publish_envelope(amqp_url, events_exchange, first)
    await publish_envelope(amqp_url, events_exchange, first)  # delivered twice
    await publish_envelope(amqp_url, events_exchange, checked_in(user, date(2026, 11, 3)))
    await publish_envelope(amqp_url, events_exchange, checked_in(user, date(2026, 11, 4)))
    await publish_envelope(amqp_url, events_exchange, checked_in(user, date(2025, 12, 31)))

    async def both_days_paid() -> bool:
        return await balance(client, headers) == 2 * daily_points

    await eventually(both_days_paid, within=10)
    entries = (await client.get("/rewards/me/points", headers=headers)).json()["items"]
    assert sorted(e["amount"] for e in entries) == [10, 10]  # not the day before the window
    overview = (await client.get("/rewards", headers=headers)).json()
    assert overview["campaign"]["daily_points"] == daily_points


async def test_an_auto_tier_is_credited_when_reached_and_never_beyond_stock(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str
) -> None:
    tier = await rewards.tier(kind="points", points=50, stock=2, grant="auto")
    days = tier["required_days"]
    shoppers = [rewards.shopper() for _ in range(3)]
    start = date(2026, 10, 1)
    await rewards.give_days([u for u, _ in shoppers], days - 1)  # from 2026-01-01
    for user, _ in shoppers:
        await publish_envelope(amqp_url, events_exchange, checked_in(user, start))

    async def claimed() -> int:
        [(n,)] = await rewards.sql(
            "SELECT count(*) FROM reward.claim WHERE tier_id = :tier", tier=uuid.UUID(tier["id"])
        )
        return int(n)

    async def stock_gone() -> bool:
        return await claimed() == 2

    await eventually(stock_gone, within=10)
    balances = sorted([await balance(client, h) for _, h in shoppers])
    assert balances == [0, 50, 50]
    # the shopper left out is not granted later by another day either: no stock
    [left_out] = [(u, h) for u, h in shoppers if await balance(client, h) == 0]
    await publish_envelope(amqp_url, events_exchange, checked_in(left_out[0], start + timedelta(1)))
    listed = (await client.get("/rewards", headers=left_out[1])).json()["tiers"]
    shown = next(t for t in listed if t["id"] == tier["id"])
    assert (shown["grant"], shown["status"]) == ("auto", "out_of_stock")
    assert await claimed() == 2


async def test_a_repeating_auto_tier_is_credited_each_time_its_days_come_round(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str
) -> None:
    await rewards.tier(
        name="20 points every 2 days",
        kind="points",
        points=20,
        stock=100,
        required_days=2,
        rule="every_n_days",
        grant="auto",
    )
    user, headers = rewards.shopper()
    for n in range(5):
        await publish_envelope(
            amqp_url, events_exchange, checked_in(user, date(2026, 11, 1) + timedelta(n))
        )

    async def twice() -> bool:
        return await balance(client, headers) == 40

    await eventually(twice, within=10)
    claims = (await client.get("/rewards/me/claims", headers=headers)).json()["items"]
    assert len(claims) == 2


async def test_only_a_points_tier_is_granted_automatically(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    refused = await client.post(
        "/rewards/admin/tiers",
        headers=rewards.admin,
        json={"name": "mug", "required_days": 3, "kind": "item", "stock": 1, "grant": "auto"},
    )
    assert refused.status_code == 422
