"""A shipped claim mails the tracking number; a cancelled one mails the reason; each once,
in the shopper's language. Admin views of the log name the shopper."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from checkin_shared.events.contracts import RewardFulfilmentChangedV1, UserRegisteredV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter


def fulfilment(user: uuid.UUID, status: str, **fields: Any) -> Envelope:
    data = RewardFulfilmentChangedV1(
        claim_id=uuid.uuid4(),
        claim_number="C-000123",
        user_id=user,
        tier_id=uuid.uuid4(),
        tier_name="Wireless earphones",
        kind="item",
        status=status,  # type: ignore[arg-type]
        **fields,
    )
    return wrap(data, occurred_at=datetime.now(UTC), producer="reward")


def text_of(mail: Any) -> str:
    return str(mail.get_body(("plain",)).get_content())


async def test_shipped_mails_the_tracking_number_once_and_cancelled_the_reason(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    new_email: Any,
) -> None:
    user, email = uuid.uuid4(), new_email()
    known = UserRegisteredV1(user_id=user, email=email, name="Lee Jun", locale="en")
    shipped = fulfilment(user, "shipped", carrier="CJ Logistics", tracking_number="6543-2109")
    delivered = fulfilment(user, "delivered", carrier="CJ Logistics", tracking_number="6543-2109")
    cancelled = fulfilment(user, "cancelled", reason="sold out at the supplier")
    await publish_envelope(
        amqp_url, events_exchange, wrap(known, occurred_at=datetime.now(UTC), producer="auth")
    )
    for event in (shipped, shipped, delivered, cancelled):  # the shipment delivered twice
        await publish_envelope(amqp_url, events_exchange, event)

    async def both() -> bool:
        return len(smtp.mailbox.to(email)) == 2

    await eventually(both, within=10)
    await asyncio.sleep(0.5)  # room for a wrong third mail
    mails = smtp.mailbox.to(email)
    assert len(mails) == 2
    by_subject = {m["Subject"]: text_of(m) for m in mails}
    ship_mail = next(t for s, t in by_subject.items() if "on its way" in s)
    assert "6543-2109" in ship_mail and "CJ Logistics" in ship_mail and "C-000123" in ship_mail
    cancel_mail = next(t for s, t in by_subject.items() if "cancelled" in s)
    assert "sold out at the supplier" in cancel_mail
    listed = await client.get(
        "/notifications/admin/notifications?limit=500", headers=minter.headers(role="admin")
    )
    mine = [n for n in listed.json()["items"] if n["user_id"] == str(user)]
    assert sorted(n["kind"] for n in mine) == ["claim_cancelled", "fulfilment_shipped"]
    assert {(n["email"], n["name"]) for n in mine} == {(email, "Lee Jun")}
