"""Make-up days, the reward side of the saga: the points are taken and the day asked for
in one transaction; the attendance service's answer (played here as the real events it
publishes) applies the day, or refuses it and the points come back exactly once. Limits
hold under concurrent requests; a made-up day counts for every rule."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from checkin_shared.clock import FrozenClock
from checkin_shared.events.contracts import (
    AttendanceCheckedInV1,
    AttendanceMakeupAppliedV1,
    AttendanceMakeupRefusedV1,
)
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope

CAMPAIGN = {"name": "Daily check-in", "starts_on": "2026-01-01", "timezone": "Asia/Seoul"}
MAKEUPS = "/rewards/me/makeups"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # noon, 2026-11-20 in Seoul


@pytest.fixture
async def makeup_campaign(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock
) -> AsyncIterator[None]:
    """The session's campaign offers 2 make-up days at 100 points and pays 10 a day."""
    before = clock.now()
    clock.set(NOW)
    offered = {
        **CAMPAIGN,
        "daily_points": 10,
        "makeup": {"cost_points": 100, "max_per_campaign": 2},
    }
    put = await client.put("/rewards/admin/campaign", json=offered, headers=rewards.admin)
    assert put.status_code == 200, put.text
    yield
    await client.put("/rewards/admin/campaign", json=CAMPAIGN, headers=rewards.admin)
    clock.set(before)


async def shopper_with(client: httpx.AsyncClient, rewards: Any, points: int) -> Any:
    user, headers = rewards.shopper()
    grant = {"user_ids": [str(user)], "amount": points, "reason": "welcome"}
    made = await client.post("/rewards/admin/points-grants", json=grant, headers=rewards.admin)
    assert made.status_code == 201, made.text
    return user, headers


async def balance(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/rewards/me/points", headers=headers)).json()["balance"])


async def ask(client: httpx.AsyncClient, headers: dict[str, str], day: str) -> httpx.Response:
    return await client.post(MAKEUPS, json={"day": day}, headers=headers)


async def attendance_says(amqp_url: str, exchange: str, *events: Any) -> None:
    at = datetime(2026, 11, 20, 3, 0, 1, tzinfo=UTC)
    for data in events:
        await publish_envelope(amqp_url, exchange, wrap(data, occurred_at=at))


def applied(user: uuid.UUID, makeup_id: str, day: str) -> list[Any]:
    at = datetime(2026, 11, 20, 3, 0, 1, tzinfo=UTC)
    the_day = date.fromisoformat(day)
    return [
        AttendanceCheckedInV1(user_id=user, day=the_day, checked_at=at, total_days=1, makeup=True),
        AttendanceMakeupAppliedV1(makeup_id=uuid.UUID(makeup_id), user_id=user, day=the_day),
    ]


async def status_of(client: httpx.AsyncClient, headers: dict[str, str], makeup_id: str) -> Any:
    return (await client.get(f"{MAKEUPS}/{makeup_id}", headers=headers)).json()


async def test_a_make_up_day_takes_the_points_and_is_applied_without_daily_points(
    client: httpx.AsyncClient,
    rewards: Any,
    makeup_campaign: None,
    amqp_url: str,
    events_exchange: str,
) -> None:
    user, headers = await shopper_with(client, rewards, 250)
    for day in ("2026-11-20", "2026-11-21", "2025-12-31"):  # today, the future, before
        refused = await ask(client, headers, day)
        assert refused.status_code == 422, day
        assert refused.json()["code"] == "day_not_allowed"
    asked = await ask(client, headers, "2026-11-10")
    assert asked.status_code == 202, asked.text
    makeup = asked.json()
    assert (makeup["status"], makeup["day"], makeup["cost_points"]) == (
        "pending",
        "2026-11-10",
        100,
    )
    assert await balance(client, headers) == 150
    [(requested,)] = await rewards.sql(
        "SELECT count(*) FROM reward.outbox WHERE event_type = 'reward.makeup_requested.v1' "
        "AND payload->'data'->>'makeup_id' = :id",
        id=makeup["id"],
    )
    assert requested == 1
    again = await ask(client, headers, "2026-11-10")
    assert again.status_code == 422 and again.json()["code"] == "day_not_allowed"

    await attendance_says(amqp_url, events_exchange, *applied(user, makeup["id"], "2026-11-10"))

    async def is_applied() -> bool:
        return (await status_of(client, headers, makeup["id"]))["status"] == "applied"

    await eventually(is_applied, within=10)
    assert await balance(client, headers) == 150  # no daily points for a day paid for
    [(days,)] = await rewards.sql(
        "SELECT count(*) FROM reward.attendance_day WHERE user_id = :u AND day = '2026-11-10'",
        u=user,
    )
    assert days == 1
    other = rewards.shopper()[1]
    hidden = await client.get(f"{MAKEUPS}/{makeup['id']}", headers=other)
    assert hidden.status_code == 404 and hidden.json()["code"] == "makeup_not_found"
    listed = (await client.get(MAKEUPS, headers=headers)).json()["items"]
    assert [m["id"] for m in listed] == [makeup["id"]]


async def test_a_refused_make_up_gives_the_points_back_once_and_does_not_count(
    client: httpx.AsyncClient,
    rewards: Any,
    makeup_campaign: None,
    amqp_url: str,
    events_exchange: str,
) -> None:
    user, headers = await shopper_with(client, rewards, 200)
    first = (await ask(client, headers, "2026-11-11")).json()
    second = (await ask(client, headers, "2026-11-12")).json()
    assert await balance(client, headers) == 0
    broke = await ask(client, headers, "2026-11-13")
    assert broke.status_code == 409  # the limit (2) and the points (0) both say no
    assert broke.json()["code"] in ("makeup_limit_reached", "insufficient_points")

    refusal = AttendanceMakeupRefusedV1(
        makeup_id=uuid.UUID(first["id"]),
        user_id=user,
        day=date(2026, 11, 11),
        code="already_checked_in",
    )
    await attendance_says(amqp_url, events_exchange, refusal, refusal)  # delivered twice
    await attendance_says(amqp_url, events_exchange, *applied(user, second["id"], "2026-11-12"))

    async def settled() -> bool:
        one = await status_of(client, headers, first["id"])
        two = await status_of(client, headers, second["id"])
        return one["status"] == "refused" and two["status"] == "applied"

    await eventually(settled, within=10)
    assert (await status_of(client, headers, first["id"]))["code"] == "already_checked_in"
    await asyncio.sleep(0.5)  # the second delivery had its chance
    assert await balance(client, headers) == 100  # given back once, not twice
    # The refused one does not count towards the limit: one more is allowed, then no more.
    third = await ask(client, headers, "2026-11-13")
    assert third.status_code == 202
    _, poorer = await shopper_with(client, rewards, 99)
    poor = await ask(client, poorer, "2026-11-13")
    assert poor.status_code == 409 and poor.json()["code"] == "insufficient_points"
    fourth = await ask(client, headers, "2026-11-14")
    assert fourth.status_code == 409 and fourth.json()["code"] == "makeup_limit_reached"


async def test_concurrent_make_ups_never_pass_the_limit_or_overspend(
    client: httpx.AsyncClient, rewards: Any, makeup_campaign: None
) -> None:
    _, headers = await shopper_with(client, rewards, 1000)
    days = [f"2026-11-0{d}" for d in range(1, 7)]
    answers = await asyncio.gather(*(ask(client, headers, day) for day in days))
    codes = sorted(a.status_code for a in answers)
    assert codes == [202, 202, 409, 409, 409, 409]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"makeup_limit_reached"}
    assert await balance(client, headers) == 800
    _, poor = await shopper_with(client, rewards, 150)  # enough for one
    answers = await asyncio.gather(*(ask(client, poor, day) for day in days[:4]))
    assert sorted(a.status_code for a in answers) == [202, 409, 409, 409]
    assert await balance(client, poor) == 50


async def test_a_make_up_that_fills_a_gap_makes_a_consecutive_tier_claimable(
    client: httpx.AsyncClient,
    rewards: Any,
    makeup_campaign: None,
    amqp_url: str,
    events_exchange: str,
) -> None:
    tier = await rewards.tier(kind="item", rule="consecutive", required_days=3, stock=5)
    user, headers = await shopper_with(client, rewards, 100)
    await rewards.sql(
        "INSERT INTO reward.attendance_day (user_id, day) VALUES (:u, '2026-11-15'), "
        "(:u, '2026-11-17')",
        u=user,
    )

    async def tier_status() -> str:
        shown = (await client.get("/rewards", headers=headers)).json()["tiers"]
        return str(next(t for t in shown if t["id"] == tier["id"])["status"])

    assert await tier_status() == "locked"
    makeup = (await ask(client, headers, "2026-11-16")).json()
    await attendance_says(amqp_url, events_exchange, *applied(user, makeup["id"], "2026-11-16"))

    async def claimable() -> bool:
        client.app.state.catalog.invalidate()  # type: ignore[attr-defined]
        return await tier_status() == "claimable"

    await eventually(claimable, within=10)
    claimed = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert claimed.status_code == 201, claimed.text
