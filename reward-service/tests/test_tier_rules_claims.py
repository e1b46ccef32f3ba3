"""Tier rules through the API, with the frozen clock (today: 2026-11-20 in Seoul):
consecutive days, a tier that repeats every N days, a daily limit per tier, tiers sharing
a day count, and the storm guarantees under each rule (never beyond stock, never beyond
the claims earned, never beyond the day's limit)."""

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from checkin_shared.clock import FrozenClock

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def today_in_seoul(clock: FrozenClock) -> Iterator[None]:
    """The session's clock, set to noon of TODAY in Seoul (other tests move it)."""
    before = clock.now()
    clock.set(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    yield
    clock.set(before)


async def give(rewards: Any, user: uuid.UUID, days: list[date]) -> None:
    await rewards.sql(
        "INSERT INTO reward.attendance_day (user_id, day) "
        "SELECT CAST(:user AS uuid), d FROM unnest(CAST(:days AS date[])) AS d "
        "ON CONFLICT DO NOTHING",
        user=str(user),
        days=days,
    )


def span(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def mine(listing: httpx.Response, tier: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in listing.json()["tiers"] if t["id"] == tier["id"])
    return found


async def test_a_consecutive_tier_needs_a_run_and_a_broken_streak_must_be_rebuilt(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(required_days=6, rule="consecutive", stock=5)
    user, headers = rewards.shopper()
    # runs of 5 and 4 days (a gap on the 6th): 9 days, but never 6 in a row
    await give(rewards, user, span(date(2026, 11, 1), 5) + span(date(2026, 11, 7), 4))
    refused = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert refused.status_code == 403
    assert (refused.json()["required"], refused.json()["have"]) == (6, 5)
    shown = mine(await client.get("/rewards", headers=headers), tier)
    # the run of 4 ended on the 10th: broken by today (the 20th), so 6 days to go
    assert (shown["rule"], shown["status"], shown["days_remaining"]) == ("consecutive", "locked", 6)
    await give(rewards, user, span(date(2026, 11, 16), 5))  # the 16th to today: 5 in a row
    shown = mine(await client.get("/rewards", headers=headers), tier)
    assert (shown["status"], shown["days_remaining"]) == ("locked", 1)
    await give(rewards, user, [date(2026, 11, 15)])  # a sixth day joins the run
    shown = mine(await client.get("/rewards", headers=headers), tier)
    assert (shown["status"], shown["claimable_count"]) == ("claimable", 1)
    assert (await client.post(f"/rewards/{tier['id']}/claims", headers=headers)).status_code == 201
    again = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "already_claimed")


async def test_a_repeating_tier_is_claimed_once_per_n_days_three_times(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(
        name="100 points every 3 days",
        required_days=3,
        rule="every_n_days",
        kind="points",
        points=100,
        stock=1000,
    )
    user, headers = rewards.shopper()
    await give(rewards, user, span(date(2026, 11, 1), 10))  # 10 days: 3 claims earned
    shown = mine(await client.get("/rewards", headers=headers), tier)
    assert (shown["status"], shown["claimable_count"]) == ("claimable", 3)
    for _ in range(3):
        made = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
        assert made.status_code == 201, made.text
    fourth = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert fourth.status_code == 403
    assert (fourth.json()["required"], fourth.json()["have"]) == (12, 10)
    shown = mine(await client.get("/rewards", headers=headers), tier)
    assert (shown["status"], shown["claimable_count"], shown["days_remaining"]) == (
        "locked",
        0,
        2,
    )
    points = (await client.get("/rewards/me/points", headers=headers)).json()
    assert points["balance"] == 300
    claims = (await client.get("/rewards/me/claims", headers=headers)).json()["items"]
    assert len(claims) == 3 and len({c["claim_number"] for c in claims}) == 3


async def test_concurrent_claims_of_a_repeating_tier_never_pass_the_claims_earned_or_stock(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(required_days=4, rule="every_n_days", stock=5)
    shoppers = [rewards.shopper() for _ in range(3)]
    for user, _ in shoppers:
        await give(rewards, user, span(date(2026, 11, 1), 12))  # 3 claims earned each
    granted = 0
    for _ in range(6):  # bursts of 6 claims per shopper at once, until nothing is granted
        answers = await asyncio.gather(
            *(
                client.post(f"/rewards/{tier['id']}/claims", headers=headers)
                for _, headers in shoppers
                for _ in range(6)
            )
        )
        assert {r.status_code for r in answers} <= {201, 403, 409, 503}
        this_round = sum(r.status_code == 201 for r in answers)
        granted += this_round
        if this_round == 0:
            break
    assert granted == 5  # 9 earned in all, 5 in stock
    rows = await rewards.sql(
        "SELECT user_id, seq FROM reward.claim WHERE tier_id = :tier", tier=uuid.UUID(tier["id"])
    )
    per_shopper = Counter(user for user, _ in rows)
    assert len(rows) == 5 and max(per_shopper.values()) <= 3
    for user in per_shopper:  # each shopper's claims are the 1st, 2nd, ... with no gap
        assert sorted(seq for u, seq in rows if u == user) == list(range(1, per_shopper[user] + 1))
    [(stock,)] = await rewards.sql(
        "SELECT stock FROM reward.tier WHERE id = :tier", tier=uuid.UUID(tier["id"])
    )
    assert stock == 0


async def test_a_daily_limit_admits_that_many_claims_a_day_under_concurrency_then_reopens(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(daily_limit=3, stock=20)
    shoppers = [rewards.shopper() for _ in range(8)]
    await rewards.give_days([u for u, _ in shoppers], tier["required_days"])
    answers = await asyncio.gather(
        *(client.post(f"/rewards/{tier['id']}/claims", headers=h) for _, h in shoppers)
    )
    assert Counter(r.status_code for r in answers) == {201: 3, 409: 5}
    limited = [r.json() for r in answers if r.status_code == 409]
    assert {(p["code"], p["resets_at"]) for p in limited} == {
        ("daily_limit_reached", "2026-11-21T00:00:00+09:00")
    }
    waiting = [h for (_, h), r in zip(shoppers, answers, strict=True) if r.status_code == 409]
    before = rewards.clock.now()
    rewards.clock.set(datetime.fromisoformat("2026-11-21T00:00:01+09:00"))
    try:
        tomorrow = await asyncio.gather(
            *(client.post(f"/rewards/{tier['id']}/claims", headers=h) for h in waiting)
        )
    finally:
        rewards.clock.set(before)
    assert Counter(r.status_code for r in tomorrow) == {201: 3, 409: 2}
    [(stock,)] = await rewards.sql(
        "SELECT stock FROM reward.tier WHERE id = :tier", tier=uuid.UUID(tier["id"])
    )
    assert stock == 14


async def test_tiers_may_share_a_day_count_only_when_their_rules_differ(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    days = rewards.unique_days()
    await rewards.tier(required_days=days)
    await rewards.tier(required_days=days, rule="consecutive")
    await rewards.tier(required_days=days, rule="every_n_days")
    again = await client.post(
        "/rewards/admin/tiers",
        headers=rewards.admin,
        json={"name": "again", "required_days": days, "kind": "item", "stock": 1},
    )
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_required_days")
    unknown = await client.post(
        "/rewards/admin/tiers",
        headers=rewards.admin,
        json={"name": "x", "required_days": 2, "kind": "item", "stock": 1, "rule": "weekly"},
    )
    assert unknown.status_code == 422


async def test_a_daily_limit_is_changed_and_removed_by_the_admin(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(daily_limit=2)
    path = f"/rewards/admin/tiers/{tier['id']}"
    changed = await client.patch(path, json={"daily_limit": 5}, headers=rewards.admin)
    assert changed.json()["daily_limit"] == 5
    removed = await client.patch(path, json={"daily_limit": 0}, headers=rewards.admin)
    assert removed.json()["daily_limit"] is None
