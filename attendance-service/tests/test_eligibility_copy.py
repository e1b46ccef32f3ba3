"""Who may check in follows user.eligibility_changed.v1 within moments, whatever the
shopper's token says: a purchase after sign-in counts without a new token, a refund
takes it away; a late or repeated event never undoes a newer one."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from checkin_shared.events.contracts import UserEligibilityChangedV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter
from sqlalchemy import text


async def announce(amqp_url: str, exchange: str, user: uuid.UUID, eligible: bool, v: int) -> None:
    data = UserEligibilityChangedV1(user_id=user, eligible=eligible, version=v)
    await publish_envelope(
        amqp_url, exchange, wrap(data, occurred_at=datetime.now(UTC), producer="auth")
    )


async def copy_of(client: httpx.AsyncClient, user: uuid.UUID) -> tuple[bool, int] | None:
    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        row = (
            await session.execute(
                text(
                    "SELECT eligible, version FROM attendance.shopper_eligibility"
                    " WHERE user_id = :u"
                ),
                {"u": user},
            )
        ).first()
    return None if row is None else (row.eligible, row.version)


async def test_a_purchase_after_sign_in_counts_with_the_token_already_held(
    client: httpx.AsyncClient, minter: TokenMinter, amqp_url: str, events_exchange: str
) -> None:
    user = uuid.uuid4()
    stale = minter.headers(user_id=user, eligible=False)  # minted before the purchase
    refused = await client.post("/attendance/check-ins", headers=stale)
    assert refused.json()["code"] == "not_eligible"
    await announce(amqp_url, events_exchange, user, True, 1)

    async def checked_in() -> bool:
        answer = await client.post("/attendance/check-ins", headers=stale)
        return answer.status_code == 201

    await eventually(checked_in, within=2)
    again = await client.post("/attendance/check-ins", headers=stale)
    assert again.json()["code"] == "already_checked_in"


async def test_a_refund_of_the_only_order_refuses_the_next_check_in(
    client: httpx.AsyncClient, minter: TokenMinter, amqp_url: str, events_exchange: str
) -> None:
    user = uuid.uuid4()
    holder = minter.headers(user_id=user, eligible=True)  # minted while eligible
    await announce(amqp_url, events_exchange, user, True, 1)
    await announce(amqp_url, events_exchange, user, False, 2)

    async def refused() -> bool:
        return await copy_of(client, user) == (False, 2)

    await eventually(refused, within=2)
    answer = await client.post("/attendance/check-ins", headers=holder)
    assert (answer.status_code, answer.json()["code"]) == (403, "not_eligible")
    me = (await client.get("/attendance/me", headers=holder)).json()
    assert me["total_days"] == 0  # nothing written
    # a late copy of the first event does not bring eligibility back
    await announce(amqp_url, events_exchange, user, True, 1)
    await announce(amqp_url, events_exchange, user, True, 3)
    await eventually(lambda: _is(copy_of(client, user), (True, 3)))
    assert (await client.post("/attendance/check-ins", headers=holder)).status_code == 201


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
