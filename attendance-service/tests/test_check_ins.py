"""Checking in: one per business day, streaks, calendar, eligibility."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from checkin_shared.clock import FrozenClock
from checkin_shared.db import make_engine
from checkin_testkit.metrics import metric_value
from checkin_testkit.tokens import TokenMinter
from sqlalchemy import text

SEOUL_NOON = timedelta(hours=3)  # 12:00 in Asia/Seoul is 03:00Z


async def check_in_on(
    client: httpx.AsyncClient, clock: FrozenClock, day: date, headers: dict[str, str]
) -> httpx.Response:
    clock.set(datetime(day.year, day.month, day.day, tzinfo=UTC) + SEOUL_NOON)
    return await client.post("/attendance/check-ins", headers=headers)


async def test_a_fifteen_day_journey_with_a_broken_and_resumed_streak(
    client: httpx.AsyncClient, clock: FrozenClock, shopper: Any
) -> None:
    start = date(2026, 11, 2)
    skipped = {start + timedelta(days=5), start + timedelta(days=6)}  # days 6 and 7
    expected_streak = 0
    for offset in range(17):
        day = start + timedelta(days=offset)
        if day in skipped:
            expected_streak = 0
            continue
        expected_streak += 1
        response = await check_in_on(client, clock, day, shopper)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["day"] == day.isoformat()
        assert body["current_streak"] == expected_streak
    assert body["total_days"] == 15
    me = (await client.get("/attendance/me", headers=shopper)).json()
    assert me["checked_in_today"] is True
    assert me["total_days"] == 15
    assert me["current_streak"] == 10  # days 8..17
    assert me["longest_streak"] == 10
    assert me["last_check_in"] == (start + timedelta(days=16)).isoformat()

    clock.set(clock.now() + timedelta(days=1))  # the next day: the streak is still alive
    me = (await client.get("/attendance/me", headers=shopper)).json()
    assert (me["checked_in_today"], me["current_streak"]) == (False, 10)
    clock.set(clock.now() + timedelta(days=1))  # a whole day missed: it is broken
    me = (await client.get("/attendance/me", headers=shopper)).json()
    assert (me["current_streak"], me["longest_streak"]) == (0, 10)

    calendar = await client.get(
        "/attendance/me/calendar?from=2026-11-05&to=2026-11-09", headers=shopper
    )
    assert [d["checked_in"] for d in calendar.json()["days"]] == [True, True, False, False, True]


async def test_a_second_check_in_on_the_same_business_day_is_409(
    client: httpx.AsyncClient, clock: FrozenClock, shopper: Any
) -> None:
    day = date(2026, 12, 1)
    assert (await check_in_on(client, clock, day, shopper)).status_code == 201
    clock.set(clock.now() + timedelta(hours=8))  # 20:00 in Seoul, same business day
    again = await client.post("/attendance/check-ins", headers=shopper)
    assert again.status_code == 409
    assert again.json()["code"] == "already_checked_in"
    assert again.json()["day"] == "2026-12-01"


async def test_the_day_boundary_is_15_00_utc_in_seoul(
    client: httpx.AsyncClient, clock: FrozenClock, shopper: Any
) -> None:
    clock.set(datetime(2026, 12, 10, 14, 59, 59, tzinfo=UTC))
    before = await client.post("/attendance/check-ins", headers=shopper)
    clock.set(datetime(2026, 12, 10, 15, 0, 0, tzinfo=UTC))
    after = await client.post("/attendance/check-ins", headers=shopper)
    assert (before.status_code, after.status_code) == (201, 201)
    assert before.json()["day"] == "2026-12-10"
    assert after.json()["day"] == "2026-12-11"  # already the next day in Seoul
    assert after.json()["current_streak"] == 2


async def test_fifty_concurrent_check_ins_make_one(
    client: httpx.AsyncClient, clock: FrozenClock, shopper: Any, attendance_database_url: str
) -> None:
    clock.set(datetime(2026, 12, 20, 3, 0, tzinfo=UTC))
    responses = await asyncio.gather(
        *(client.post("/attendance/check-ins", headers=shopper) for _ in range(50))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 49
    engine = make_engine(attendance_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.scalar(
                text("SELECT count(*) FROM attendance.check_in WHERE user_id = :u"),
                {"u": shopper.user_id},
            )
            events = await conn.scalar(
                text(
                    "SELECT count(*) FROM attendance.outbox WHERE payload->'data'->>'user_id' = :u"
                ),
                {"u": str(shopper.user_id)},
            )
    finally:
        await engine.dispose()
    assert (rows, events) == (1, 1)


async def test_a_shopper_without_a_purchase_cannot_check_in(
    client: httpx.AsyncClient, minter: TokenMinter
) -> None:
    headers = minter.headers(eligible=False)
    response = await client.post("/attendance/check-ins", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "not_eligible"
    assert "paid purchase" in response.json()["detail"]
    me = (await client.get("/attendance/me", headers=headers)).json()
    assert me["total_days"] == 0


async def test_calendar_ranges_default_to_30_days_and_bad_ones_are_422(
    client: httpx.AsyncClient, shopper: Any
) -> None:
    default = await client.get("/attendance/me/calendar", headers=shopper)
    assert len(default.json()["days"]) == 30
    for query in (
        "from=2026-12-10&to=2026-12-01",
        "from=2025-01-01&to=2026-12-01",
        "from=yesterday",
        "to=2026-13-01",
    ):
        response = await client.get(f"/attendance/me/calendar?{query}", headers=shopper)
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"
    year = await client.get(
        "/attendance/me/calendar?from=2025-12-01&to=2026-12-01", headers=shopper
    )
    assert len(year.json()["days"]) == 366


async def test_nobody_sees_another_shoppers_attendance(
    client: httpx.AsyncClient, clock: FrozenClock, minter: TokenMinter
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    clock.set(datetime(2026, 12, 24, 3, 0, tzinfo=UTC))
    await client.post("/attendance/check-ins", headers=minter.headers(user_id=first))
    other = await client.get("/attendance/me", headers=minter.headers(user_id=second))
    assert other.json()["total_days"] == 0


async def test_check_ins_are_counted_by_outcome(
    client: httpx.AsyncClient, clock: FrozenClock, minter: TokenMinter
) -> None:
    async def count(outcome: str) -> float:
        return await metric_value(client, "checkins_total", outcome=outcome)

    outcomes = ("checked_in", "already_checked_in", "not_eligible")
    before = {o: await count(o) for o in outcomes}
    shopper = minter.headers(user_id=uuid.uuid4())
    assert (await check_in_on(client, clock, date(2026, 12, 1), shopper)).status_code == 201
    assert (await check_in_on(client, clock, date(2026, 12, 1), shopper)).status_code == 409
    browser = minter.headers(user_id=uuid.uuid4(), eligible=False)
    assert (await client.post("/attendance/check-ins", headers=browser)).status_code == 403
    after = {o: await count(o) for o in outcomes}
    assert {o: after[o] - before[o] for o in outcomes} == dict.fromkeys(outcomes, 1.0)


async def test_a_check_in_wakes_the_relay_of_its_process_without_a_notify(
    client: httpx.AsyncClient,
    clock: FrozenClock,
    shopper: Any,
    attendance_database_url: str,
) -> None:
    """The statement commits, then wakes the relay running in this process (the app's
    own runs here); it does not NOTIFY, whose commit lock would line up every check-in."""
    import asyncpg
    from attendance_service.db import OUTBOX
    from checkin_shared.events import wake
    from checkin_shared.events.outbox import notify_channel

    assert not wake.notify_needed(OUTBOX)  # the app's relay is registered
    listener = await asyncpg.connect(attendance_database_url.replace("+asyncpg", ""))
    notified = asyncio.Event()
    await listener.add_listener(notify_channel(OUTBOX), lambda *_: notified.set())
    hints: list[int] = []
    unregister = wake.register(OUTBOX, lambda: hints.append(1))
    try:
        day = date(2026, 12, 20)
        assert (await check_in_on(client, clock, day, shopper)).status_code == 201
        assert hints == [1]
        assert (await check_in_on(client, clock, day, shopper)).status_code == 409
        assert hints == [1]  # nothing written, no wake
        await asyncio.sleep(0.3)
        assert not notified.is_set()
    finally:
        unregister()
        await listener.close()
