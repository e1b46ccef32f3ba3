"""Points that expire, with the frozen clock: a credit ends at midnight in the campaign's
zone the set number of days after the day it was made; spending takes the points that
expire first; what is left at the end is debited once, even by two replicas at once."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from checkin_shared.clock import FrozenClock
from reward_service.points.expiry import PointsExpirer

CAMPAIGN = {"name": "Daily check-in", "starts_on": "2026-01-01", "timezone": "Asia/Seoul"}


def seoul(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}+09:00")


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
async def expiring_campaign(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock
) -> AsyncIterator[None]:
    before = clock.now()
    clock.set(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))  # noon in Seoul
    body = {**CAMPAIGN, "points_expire_after_days": 30}
    put = await client.put("/rewards/admin/campaign", json=body, headers=rewards.admin)
    assert put.json()["points_expire_after_days"] == 30
    yield
    await client.put("/rewards/admin/campaign", json=CAMPAIGN, headers=rewards.admin)
    clock.set(before)


async def grant(client: httpx.AsyncClient, rewards: Any, user: uuid.UUID, amount: int) -> None:
    body = {"user_ids": [str(user)], "amount": amount, "reason": "test"}
    made = await client.post("/rewards/admin/points-grants", json=body, headers=rewards.admin)
    assert made.status_code == 201, made.text


async def points(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = (await client.get("/rewards/me/points", headers=headers)).json()
    return found


def expirer(client: httpx.AsyncClient) -> PointsExpirer:
    found: PointsExpirer = client.app.state.expirer  # type: ignore[attr-defined]
    return found


async def test_points_expire_at_the_zones_midnight_oldest_spent_first(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock, expiring_campaign: None
) -> None:
    user, headers = rewards.shopper()
    await grant(client, rewards, user, 100)  # 2026-11-20: ends 2026-12-20 00:00 in Seoul
    await grant(client, rewards, user, -30)  # spent from the credit that ends first
    clock.set(seoul("2026-11-25T10:00:00"))
    await grant(client, rewards, user, 50)  # ends 2026-12-25
    mine = await points(client, headers)
    assert mine["balance"] == 120
    assert [(e["amount"], instant(e["expires_at"])) for e in mine["expiring"]] == [
        (70, seoul("2026-12-20T00:00:00")),
        (50, seoul("2026-12-25T00:00:00")),
    ]
    credit = next(i for i in mine["items"] if i["amount"] == 100)
    assert instant(credit["expires_at"]) == seoul("2026-12-20T00:00:00")

    clock.set(seoul("2026-12-19T23:59:59"))
    assert await expirer(client).run_once() == 0
    clock.set(seoul("2026-12-20T00:00:00"))
    assert await expirer(client).run_once() == 70
    assert await expirer(client).run_once() == 0  # settled: never twice
    mine = await points(client, headers)
    assert mine["balance"] == 50
    assert any(i["amount"] == -70 and i["reason"] == "points expired" for i in mine["items"])

    clock.set(seoul("2026-12-21T09:00:00"))
    await grant(client, rewards, user, -20)
    assert [e["amount"] for e in (await points(client, headers))["expiring"]] == [30]
    clock.set(seoul("2026-12-25T00:00:01"))
    assert await expirer(client).run_once() == 30
    assert (await points(client, headers))["balance"] == 0


async def test_two_replicas_expiring_at_once_debit_the_points_once(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock, expiring_campaign: None
) -> None:
    shoppers = [rewards.shopper() for _ in range(5)]
    for user, _ in shoppers:
        await grant(client, rewards, user, 40)
    clock.set(seoul("2026-12-20T00:00:05"))
    one = expirer(client)
    other = PointsExpirer(one.factory, clock, every_seconds=3600)
    debited = await asyncio.gather(one.run_once(), other.run_once())
    assert sum(debited) == 5 * 40
    for _, headers in shoppers:
        assert (await points(client, headers))["balance"] == 0


async def test_points_never_expire_when_the_campaign_says_nothing(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    user, headers = rewards.shopper()
    await grant(client, rewards, user, 10)
    mine = await points(client, headers)
    assert mine["expiring"] == [] and mine["items"][0]["expires_at"] is None


async def test_a_week_before_the_end_what_is_left_is_announced_once(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock, expiring_campaign: None
) -> None:
    user, _ = rewards.shopper()
    await grant(client, rewards, user, 100)  # ends 2026-12-20 00:00 in Seoul
    await grant(client, rewards, user, -30)

    async def announced() -> list[Any]:
        return await rewards.sql(
            "SELECT payload->'data'->>'amount', payload->'data'->>'expires_at' "
            "FROM reward.outbox WHERE event_type = 'reward.points_expiring.v1' "
            "AND payload->'data'->>'user_id' = :user",
            user=str(user),
        )

    clock.set(seoul("2026-12-12T23:59:00"))  # a week and a minute before
    await expirer(client).run_once()
    assert await announced() == []
    clock.set(seoul("2026-12-13T00:00:00"))
    await expirer(client).run_once()
    await expirer(client).run_once()
    [(amount, ends)] = await announced()
    assert int(amount) == 70 and instant(ends) == seoul("2026-12-20T00:00:00")


async def test_staff_read_one_shoppers_points_as_the_shopper_sees_them(
    client: httpx.AsyncClient, rewards: Any, minter: Any
) -> None:
    user, headers = rewards.shopper()
    await grant(client, rewards, user, 25)
    path = f"/rewards/admin/points?user_id={user}"
    support = await client.get(path, headers=minter.headers(role="support"))
    assert support.status_code == 200
    assert support.json() == await points(client, headers)
    refused = await client.get(path, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
