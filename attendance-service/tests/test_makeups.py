"""The attendance side of a make-up day: reward.makeup_requested.v1 adds the day under
the same (user_id, day) key as a check-in and says so (attendance.checked_in.v1 with
`makeup: true`, attendance.makeup_applied.v1), or refuses (attendance.makeup_refused.v1
with its code) when the day was checked in meanwhile or the shopper is no longer
eligible. A repeated request changes nothing. The calendar and /attendance/me mark it."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from checkin_shared.clock import FrozenClock
from checkin_shared.events.contracts import RewardMakeupRequestedV1, UserEligibilityChangedV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_testkit.events import eventually, publish_envelope
from sqlalchemy import text

AT = datetime(2026, 11, 2, 1, 0, 5, tzinfo=UTC)


def asked(user: uuid.UUID, day: str) -> Envelope:
    data = RewardMakeupRequestedV1(
        makeup_id=uuid.uuid4(), user_id=user, day=date.fromisoformat(day), campaign_id=uuid.uuid4()
    )
    return wrap(data, occurred_at=AT, producer="reward")


async def answers(client: httpx.AsyncClient, makeup_id: uuid.UUID) -> list[tuple[str, Any]]:
    """The events the service staged about this make-up (or its day), oldest first."""
    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        rows = await session.execute(
            text(
                "SELECT event_type, payload->'data' FROM attendance.outbox "
                "WHERE payload->'data'->>'makeup_id' = :id "
                "OR (payload->'data'->>'makeup')::boolean ORDER BY created_at"
            ),
            {"id": str(makeup_id)},
        )
        return [(t, d) for t, d in rows.all()]


async def test_a_make_up_day_is_added_marked_and_announced_once(
    client: httpx.AsyncClient,
    shopper: Any,
    amqp_url: str,
    events_exchange: str,
    clock: FrozenClock,
) -> None:
    user = shopper.user_id
    request = asked(user, "2026-10-30")
    await publish_envelope(amqp_url, events_exchange, request)
    await publish_envelope(amqp_url, events_exchange, request)  # delivered twice
    makeup_id = request.data["makeup_id"]

    async def applied() -> bool:
        return any(t == "attendance.makeup_applied.v1" for t, _ in await answers(client, makeup_id))

    await eventually(applied, within=10)
    staged = [(t, d) for t, d in await answers(client, makeup_id) if d.get("user_id") == str(user)]
    assert sorted(t for t, _ in staged) == [
        "attendance.checked_in.v1",
        "attendance.makeup_applied.v1",
    ]  # once, though asked twice
    day_event = next(d for t, d in staged if t == "attendance.checked_in.v1")
    assert day_event["makeup"] is True and day_event["day"] == "2026-10-30"
    # added at the service's time (not the ask's): the reward side's settled_at
    assert datetime.fromisoformat(day_event["checked_at"]) == clock.now() != AT
    calendar = await client.get(
        "/attendance/me/calendar?from=2026-10-29&to=2026-10-31", headers=shopper
    )
    assert [(d["checked_in"], d["makeup"]) for d in calendar.json()["days"]] == [
        (False, False),
        (True, True),
        (False, False),
    ]
    me = (await client.get("/attendance/me", headers=shopper)).json()
    assert me["makeup_days"] == 1 and me["total_days"] == 1


async def test_a_day_checked_in_meanwhile_or_a_shopper_no_longer_eligible_is_refused(
    client: httpx.AsyncClient, shopper: Any, amqp_url: str, events_exchange: str
) -> None:
    user = shopper.user_id
    today = await client.post("/attendance/check-ins", headers=shopper)
    assert today.status_code == 201
    request = asked(user, today.json()["day"])
    await publish_envelope(amqp_url, events_exchange, request)

    refunded = uuid.uuid4()
    gone = UserEligibilityChangedV1(user_id=refunded, eligible=False, version=1)
    await publish_envelope(amqp_url, events_exchange, wrap(gone, occurred_at=AT, producer="auth"))
    late = asked(refunded, "2026-10-30")

    async def refused(makeup_id: uuid.UUID) -> str | None:
        for event_type, data in await answers(client, makeup_id):
            if event_type == "attendance.makeup_refused.v1":
                return str(data["code"])
        return None

    async def first_refused() -> bool:
        return await refused(request.data["makeup_id"]) == "already_checked_in"

    await eventually(first_refused, within=10)

    async def eligibility_known() -> bool:
        async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            found = await session.scalar(
                text("SELECT count(*) FROM attendance.shopper_eligibility WHERE user_id = :u"),
                {"u": refunded},
            )
        return bool(found)

    await eventually(eligibility_known, within=10)
    await publish_envelope(amqp_url, events_exchange, late)

    async def second_refused() -> bool:
        return await refused(late.data["makeup_id"]) == "not_eligible"

    await eventually(second_refused, within=10)
    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        rows = await session.scalar(
            text("SELECT count(*) FROM attendance.check_in WHERE user_id IN (:a, :b)"),
            {"a": user, "b": refunded},
        )
    assert rows == 1  # the check-in of today only
