"""A shopper's journey fed by real attendance events, and the projection's dedupe."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_testkit.events import eventually, publish_envelope


def checked_in(user: uuid.UUID, day: date, total: int) -> Envelope:
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    data = AttendanceCheckedInV1(user_id=user, day=day, checked_at=at, total_days=total)
    return wrap(data, occurred_at=at)


async def days_of(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/rewards/me", headers=headers)).json()["attendance_days"])


async def test_a_fifteen_day_journey_to_both_rewards(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str
) -> None:
    points = await rewards.tier(
        name="5,000 points", required_days=5, kind="points", points=5000, stock=1000
    )
    earphones = await rewards.tier(
        name="Wireless earphones", required_days=15, stock=50, low_stock_threshold=10
    )
    user, headers = rewards.shopper()
    start = date(2026, 11, 2)

    async def check_in(n: int) -> None:
        await publish_envelope(
            amqp_url, events_exchange, checked_in(user, start + timedelta(days=n - 1), n)
        )

        async def counted() -> bool:
            return await days_of(client, headers) == n

        await eventually(counted, within=10)

    def status(overview: dict[str, Any], tier: dict[str, Any]) -> str:
        return str(next(t for t in overview["tiers"] if t["id"] == tier["id"])["status"])

    for n in range(1, 5):
        await check_in(n)
    overview = (await client.get("/rewards", headers=headers)).json()
    assert status(overview, points) == "locked"
    me = (await client.get("/rewards/me", headers=headers)).json()
    assert (me["next_tier"]["id"], me["days_to_next"], me["current_tier"]) == (
        points["id"],
        1,
        None,
    )

    await check_in(5)
    overview = (await client.get("/rewards", headers=headers)).json()
    assert (status(overview, points), status(overview, earphones)) == ("claimable", "locked")
    assert (
        await client.post(f"/rewards/{points['id']}/claims", headers=headers)
    ).status_code == 201
    balance = (await client.get("/rewards/me/points", headers=headers)).json()
    assert balance["balance"] == 5000
    assert balance["items"][0]["amount"] == 5000

    rewards.clock.advance(hours=1)  # the two claims at two moments, for the listing's order
    for n in range(6, 16):
        await check_in(n)
    me = (await client.get("/rewards/me", headers=headers)).json()
    assert me["current_tier"]["id"] == earphones["id"]  # other tests add tiers above it
    assert (
        await client.post(f"/rewards/{earphones['id']}/claims", headers=headers)
    ).status_code == 201
    overview = (await client.get("/rewards", headers=headers)).json()
    assert (status(overview, points), status(overview, earphones)) == ("claimed", "claimed")
    mine = (await client.get("/rewards/me/claims", headers=headers)).json()["items"]
    assert [c["tier_name"] for c in mine] == ["Wireless earphones", "5,000 points"]
    assert (await client.get("/rewards/me", headers=headers)).json()["points_balance"] == 5000


async def test_a_duplicated_check_in_event_is_counted_once(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str
) -> None:
    user, headers = rewards.shopper()
    event = checked_in(user, date(2026, 11, 3), 1)
    same_day_again = checked_in(user, date(2026, 11, 3), 1)  # another id, the same day
    for envelope in (event, event, same_day_again):
        await publish_envelope(amqp_url, events_exchange, envelope)
    marker = checked_in(user, date(2026, 11, 4), 2)
    await publish_envelope(amqp_url, events_exchange, marker)

    async def two_days() -> bool:
        return await days_of(client, headers) == 2

    await eventually(two_days)
    [(seen,)] = await rewards.sql(
        "SELECT count(*) FROM reward.inbox WHERE event_id IN (:a, :b)",
        a=str(event.id),
        b=str(same_day_again.id),
    )
    assert seen == 2


async def test_days_outside_the_campaign_window_do_not_count(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    user, headers = rewards.shopper()
    await rewards.sql(
        "INSERT INTO reward.attendance_day (user_id, day) VALUES (:u, '2025-12-31'), "
        "(:u, '2026-01-01')",
        u=str(user),
    )
    assert await days_of(client, headers) == 1  # the campaign starts on 2026-01-01


def test_the_reward_consumer_declares_the_types_its_handlers_take() -> None:
    """The queue binds exactly what the handlers take; the test kit's copy (used by tests
    that play this consumer) says the same."""
    from checkin_testkit.events import SUBSCRIPTIONS
    from reward_service.event_handlers import HANDLERS

    assert (
        sorted(HANDLERS)
        == SUBSCRIPTIONS["reward"]
        == [
            "attendance.checked_in.v1",
            "attendance.makeup_applied.v1",
            "attendance.makeup_refused.v1",
            "user.eligibility_changed.v1",
            "user.profile_changed.v1",
            "user.registered.v1",
        ]
    )
