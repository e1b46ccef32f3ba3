"""The daily reminder: exactly the eligible, opted-in shoppers without a check-in that
business day; once each, however many runs."""

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from checkin_shared.clock import FrozenClock
from checkin_testkit.events import eventually
from checkin_testkit.metrics import metric_value
from checkin_testkit.tokens import TokenMinter
from notification_service.log.models import ReminderRun
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from shoppers import Shoppers, deliver_as_of, known, scheduler_for

BEFORE_MIDNIGHT_SEOUL = datetime(2026, 11, 21, 14, 59, 59, tzinfo=UTC)  # 11-21 23:59:59
MIDNIGHT_SEOUL = datetime(2026, 11, 21, 15, 0, 0, tzinfo=UTC)  # 11-22 00:00:00


async def test_reminders_go_to_exactly_the_shoppers_who_have_not_checked_in_today(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
) -> None:
    shoppers = Shoppers(amqp_url, events_exchange)
    yesterday, _ = a = await shoppers.make(checked_in_at=BEFORE_MIDNIGHT_SEOUL)
    today = await shoppers.make(checked_in_at=MIDNIGHT_SEOUL)
    never = await shoppers.make()
    no_purchase = await shoppers.make(purchased=False)
    opted_out = await shoppers.make()
    no_address = await shoppers.make(registered=False)
    everyone = [a, today, never, no_purchase, opted_out, no_address]

    async def all_known() -> bool:
        return all([await known(client, u) for u, _ in everyone])

    await eventually(all_known)
    answer = await client.put(
        "/notifications/me/preferences",
        json={"reminders": False},
        headers=minter.headers(user_id=opted_out[0]),
    )
    assert answer.json() == {"reminders": False, "locale": None}

    clock = FrozenClock(MIDNIGHT_SEOUL)  # already 2026-11-22 in Seoul
    first, second = scheduler_for(client, clock), scheduler_for(client, clock)
    queued = await asyncio.gather(first.run_now(), second.run_now())  # two at once
    assert sum(queued) >= 2
    await deliver_as_of(client, clock)  # due at the scheduler's (frozen) time

    async def delivered() -> bool:
        return len(smtp.mailbox.to(a[1])) == 1 and len(smtp.mailbox.to(never[1])) == 1

    await eventually(delivered)
    await asyncio.sleep(0.5)
    reminded = {email for _, email in everyone if smtp.mailbox.to(email)}
    assert reminded == {a[1], never[1]}
    [mail] = smtp.mailbox.to(a[1])
    assert "2026-11-22" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    mine = await client.get("/notifications/me", headers=minter.headers(user_id=yesterday))
    assert [n["kind"] for n in mine.json()["items"]] == ["reminder"]


async def test_the_scheduled_run_waits_for_its_hour_and_runs_once_a_day(
    client: httpx.AsyncClient, amqp_url: str, events_exchange: str
) -> None:
    shoppers = Shoppers(amqp_url, events_exchange)
    user, _ = await shoppers.make()

    async def is_known() -> bool:
        return await known(client, user)

    await eventually(is_known)
    # A business day already past: the app's own scheduler, on the real clock, only ever
    # claims the real day, so it cannot take this one first (on 2026-12-01 it did).
    clock = FrozenClock(datetime(2026, 11, 15, 10, 59, tzinfo=UTC))  # 19:59 in Seoul
    replicas = [scheduler_for(client, clock) for _ in range(2)]
    assert await replicas[0].run_if_due() is None
    clock.set(datetime(2026, 11, 15, 11, 0, tzinfo=UTC))  # 20:00 in Seoul
    results = await asyncio.gather(*(r.run_if_due() for r in replicas))
    assert sorted(results, key=lambda r: r is None)[1] is None
    assert any(r for r in results)
    assert await replicas[1].run_if_due() is None  # still the same business day

    await replicas[1].scheduled_tick()  # the replica that did not run reports it too
    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        last = await session.scalar(select(func.max(ReminderRun.ran_at)))
    reported = await metric_value(client, "daily_task_last_run_timestamp_seconds", task="reminders")
    assert reported == last.timestamp() >= clock.now().timestamp()


async def test_admins_run_the_reminder_now(client: httpx.AsyncClient, minter: TokenMinter) -> None:
    response = await client.post(
        "/notifications/admin/reminders/run", headers=minter.headers(role="admin")
    )
    assert response.status_code == 202
    assert isinstance(response.json()["queued"], int)


async def test_preferences_are_validated(client: httpx.AsyncClient, minter: TokenMinter) -> None:
    for bad in ({}, {"reminders": "sometimes"}, {"reminders": True, "extra": 1}):
        response = await client.put(
            "/notifications/me/preferences", json=bad, headers=minter.headers()
        )
        assert response.status_code == 422, bad


async def test_a_shopper_whose_last_order_was_refunded_gets_no_reminder(
    client: httpx.AsyncClient, smtp: Any, amqp_url: str, events_exchange: str
) -> None:
    from checkin_shared.events.contracts import PurchaseRecordedV1, UserEligibilityChangedV1
    from checkin_shared.events.envelope import wrap
    from checkin_testkit.events import publish_envelope
    from notification_service.directory.models import Contact

    user, email = await Shoppers(amqp_url, events_exchange).make()
    at = datetime(2026, 11, 1, tzinfo=UTC)
    refund = UserEligibilityChangedV1(user_id=user, eligible=False, version=2)
    late_purchase = PurchaseRecordedV1(user_id=user, order_id=email + "-2", purchased_at=at)
    for data in (refund, late_purchase):
        await publish_envelope(amqp_url, events_exchange, wrap(data, occurred_at=at))

    async def refunded() -> bool:
        async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            contact = await session.get(Contact, user)
            return contact is not None and contact.eligibility_version == 2

    await eventually(refunded)
    await asyncio.sleep(0.3)  # the late purchase's event, applied or not by now
    clock = FrozenClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    await scheduler_for(client, clock).run_now()
    await deliver_as_of(client, clock)
    assert smtp.mailbox.to(email) == []
