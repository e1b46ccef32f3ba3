"""Points about to expire: the shopper is mailed how many and the last day to use them,
once per announcement, in their language (the end is midnight in the business zone, so
the last day is the day before it)."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from checkin_shared.events.contracts import RewardPointsExpiringV1, UserRegisteredV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter


def text_of(mail: Any) -> str:
    return str(mail.get_body(("plain",)).get_content())


async def test_a_shopper_is_warned_of_points_about_to_expire_once(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    new_email: Any,
) -> None:
    user, email = uuid.uuid4(), new_email()
    known = UserRegisteredV1(user_id=user, email=email, name="Kim", locale="ko")
    await publish_envelope(
        amqp_url, events_exchange, wrap(known, occurred_at=datetime.now(UTC), producer="auth")
    )
    ends = datetime.fromisoformat("2026-12-20T00:00:00+09:00")
    warning = wrap(
        RewardPointsExpiringV1(user_id=user, amount=70, expires_at=ends),
        occurred_at=datetime.now(UTC),
        producer="reward",
    )
    await publish_envelope(amqp_url, events_exchange, warning)
    await publish_envelope(amqp_url, events_exchange, warning)  # delivered twice

    async def mailed() -> bool:
        return len(smtp.mailbox.to(email)) == 1

    await eventually(mailed, within=10)
    await asyncio.sleep(0.5)  # room for a wrong second mail
    [mail] = smtp.mailbox.to(email)
    assert "70" in mail["Subject"] and "2026-12-19" in mail["Subject"]
    assert "70 포인트" in text_of(mail) and "2026-12-19" in text_of(mail)
    listed = await client.get(
        "/notifications/admin/notifications?kind=points_expiring&limit=500",
        headers=minter.headers(role="admin"),
    )
    assert [n["user_id"] for n in listed.json()["items"]].count(str(user)) == 1
    # one shopper's mails, as the console shows them
    theirs = await client.get(
        f"/notifications/admin/notifications?user_id={user}", headers=minter.headers(role="support")
    )
    assert [(n["user_id"], n["kind"]) for n in theirs.json()["items"]] == [
        (str(user), "points_expiring")
    ]
