"""A campaign's eligibility rules at check-in: a published campaign holding today that asks
for a paid purchase within N days and a minimum paid total refuses (403 `not_eligible`,
with the `rule`) a shopper whose copy of their purchases says otherwise, and admits them
within moments of a purchase that meets it, with the token they hold. A draft's rules,
another day's campaign, or a late copy of an older version change nothing."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from checkin_shared.clock import FrozenClock
from checkin_shared.events.contracts import RewardCampaignChangedV1, UserEligibilityChangedV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter
from sqlalchemy import text


@pytest.fixture
async def rules_today(
    client: httpx.AsyncClient, clock: FrozenClock, amqp_url: str, events_exchange: str
) -> AsyncIterator[RewardCampaignChangedV1]:
    """A published campaign of today only (Seoul): a purchase within 30 days, 10,000 in
    all. Removed afterwards (other tests check in on this day too)."""
    today = clock.now().astimezone(ZoneInfo("Asia/Seoul")).date()  # the business day
    rules = RewardCampaignChangedV1(
        campaign_id=uuid.uuid4(),
        published=True,
        starts_on=today,
        ends_on=today,
        timezone="Asia/Seoul",
        purchased_within_days=30,
        min_total_amount=Decimal("10000"),
        changed_at=clock.now(),
    )
    await publish_envelope(amqp_url, events_exchange, wrap(rules, occurred_at=clock.now()))

    async def known() -> bool:
        return (
            await rows(
                client,
                "SELECT count(*) FROM attendance.campaign_rules WHERE campaign_id = :c",
                c=rules.campaign_id,
            )
            == 1
        )

    await eventually(known, within=10)
    yield rules
    await rows(
        client, "DELETE FROM attendance.campaign_rules WHERE campaign_id = :c", c=rules.campaign_id
    )


async def rows(client: httpx.AsyncClient, statement: str, **params: Any) -> int:
    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        result = await session.execute(text(statement), params)
        found = result.scalar() if result.returns_rows else 0
        await session.commit()
    return int(found or 0)


async def purchases(
    amqp_url: str,
    exchange: str,
    user: uuid.UUID,
    version: int,
    paid_at: datetime | None,
    total: str,
) -> None:
    told = UserEligibilityChangedV1(
        user_id=user,
        eligible=True,
        version=version,
        last_paid_at=paid_at,
        paid_total=Decimal(total),
    )
    await publish_envelope(amqp_url, exchange, wrap(told, occurred_at=datetime.now(UTC)))


async def test_a_campaigns_purchase_rules_decide_who_checks_in_on_its_days(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    clock: FrozenClock,
    amqp_url: str,
    events_exchange: str,
    rules_today: RewardCampaignChangedV1,
) -> None:
    now = clock.now()
    meets, old, small, unknown = (uuid.uuid4() for _ in range(4))
    await purchases(amqp_url, events_exchange, meets, 1, now - timedelta(days=3), "15000")
    await purchases(amqp_url, events_exchange, old, 1, now - timedelta(days=45), "50000")
    await purchases(amqp_url, events_exchange, small, 1, now - timedelta(days=1), "5000")

    async def copied() -> bool:
        return (
            await rows(
                client,
                "SELECT count(*) FROM attendance.shopper_eligibility WHERE user_id IN (:a, :b, :c)",
                a=meets,
                b=old,
                c=small,
            )
            == 3
        )

    await eventually(copied, within=10)
    answers = {}
    for user in (meets, old, small, unknown):
        answer = await client.post("/attendance/check-ins", headers=minter.headers(user_id=user))
        answers[user] = (answer.status_code, answer.json().get("code"), answer.json().get("rule"))
    assert answers[meets] == (201, None, None)
    assert answers[old] == (403, "not_eligible", "purchased_within_days")
    assert answers[small] == (403, "not_eligible", "min_total_amount")
    assert answers[unknown][:2] == (403, "not_eligible")  # nothing says they meet it
    written = await rows(
        client,
        "SELECT count(*) FROM attendance.check_in WHERE user_id IN (:a, :b, :c)",
        a=old,
        b=small,
        c=unknown,
    )
    assert written == 0

    # a bigger order arrives: the same token now checks in, within moments
    await purchases(amqp_url, events_exchange, small, 2, now - timedelta(hours=1), "12000")
    headers = minter.headers(user_id=small)

    async def admitted() -> bool:
        return (await client.post("/attendance/check-ins", headers=headers)).status_code == 201

    await eventually(admitted, within=5)

    # an older copy of the campaign arriving late changes nothing; a newer one, unpublished
    # (say, the rules taken off), admits everyone again
    stale = rules_today.model_copy(
        update={"published": False, "changed_at": now - timedelta(hours=1)}
    )
    await publish_envelope(amqp_url, events_exchange, wrap(stale, occurred_at=now))
    lifted = rules_today.model_copy(
        update={
            "purchased_within_days": None,
            "min_total_amount": None,
            "changed_at": now + timedelta(seconds=1),
        }
    )
    await publish_envelope(amqp_url, events_exchange, wrap(lifted, occurred_at=now))
    old_headers = minter.headers(user_id=old)

    async def lifted_for_old() -> bool:
        answer = await client.post("/attendance/check-ins", headers=old_headers)
        return answer.status_code == 201

    await eventually(lifted_for_old, within=10)
    published = await rows(
        client,
        "SELECT count(*) FROM attendance.campaign_rules WHERE campaign_id = :c AND published",
        c=rules_today.campaign_id,
    )
    assert published == 1  # the stale unpublished copy did not win
