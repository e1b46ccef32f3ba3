"""Claim emails, low-stock alerts, redelivery, SMTP outages and bounces."""

import asyncio
import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from checkin_shared.events.contracts import RewardClaimedV1, RewardStockLowV1, UserRegisteredV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def registered(user: uuid.UUID, email: str) -> Envelope:
    return wrap(UserRegisteredV1(user_id=user, email=email, name="Kim"), occurred_at=NOW)


def claimed(user: uuid.UUID, tier_name: str = "Wireless earphones") -> Envelope:
    data = RewardClaimedV1(
        claim_id=uuid.uuid4(),
        user_id=user,
        tier_id=uuid.uuid4(),
        tier_name=tier_name,
        kind="item",
        claimed_at=NOW,
        stock_left=12,
    )
    return wrap(data, occurred_at=NOW)


async def notifications(client: httpx.AsyncClient, minter: TokenMinter, **query: str) -> list[Any]:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    response = await client.get(
        f"/notifications/admin/notifications?limit=500&{params}",
        headers=minter.headers(role="admin"),
    )
    items: list[Any] = response.json()["items"]
    return items


async def test_a_claim_sends_exactly_one_email_to_the_shopper(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    new_email: Any,
) -> None:
    user, email = uuid.uuid4(), new_email()
    claim = claimed(user)
    for event in (registered(user, email), claim, claim):  # the claim delivered twice
        await publish_envelope(amqp_url, events_exchange, event)

    async def delivered() -> bool:
        return len(smtp.mailbox.to(email)) == 1

    await eventually(delivered)
    await asyncio.sleep(0.5)  # room for a wrong second mail to arrive
    [mail] = smtp.mailbox.to(email)
    assert "Wireless earphones" in mail["Subject"]
    assert "Wireless earphones" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert mail.get_body(("html",)) is not None

    async def recorded_as_sent() -> bool:  # the sender records it a moment after the sink
        mine = await client.get("/notifications/me", headers=minter.headers(user_id=user))
        kinds = [(n["kind"], n["status"]) for n in mine.json()["items"]]
        return kinds == [("reward_claimed", "sent")]

    await eventually(recorded_as_sent)
    mine = (await client.get("/notifications/me", headers=minter.headers(user_id=user))).json()
    # stable across attempts, so a copy sent again after a crash is recognisably the same
    assert mail["Message-ID"] == f"<{mine['items'][0]['id']}@checkin.example>"
    # RFC 5322 requires a Date: the time it was sent, within this test's minute
    sent = parsedate_to_datetime(mail["Date"])
    assert abs((sent - datetime.now(UTC)).total_seconds()) < 60
    other = await client.get("/notifications/me", headers=minter.headers())
    assert other.json()["items"] == []


async def test_a_claim_before_the_shoppers_address_is_known_waits_for_it(
    client: httpx.AsyncClient, smtp: Any, amqp_url: str, events_exchange: str, new_email: Any
) -> None:
    user, email = uuid.uuid4(), new_email()
    await publish_envelope(amqp_url, events_exchange, claimed(user, "5,000 points"))
    await asyncio.sleep(0.3)  # the claim is retried while the address is unknown
    await publish_envelope(amqp_url, events_exchange, registered(user, email))

    async def delivered() -> bool:
        return len(smtp.mailbox.to(email)) == 1

    await eventually(delivered)


async def test_low_stock_emails_every_recipient_and_posts_the_webhook_once(
    client: httpx.AsyncClient,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    webhook_posts: list[dict[str, Any]],
    alert_recipients: list[str],
) -> None:
    tier = f"Tier {uuid.uuid4().hex[:6]}"
    low = wrap(
        RewardStockLowV1(tier_id=uuid.uuid4(), tier_name=tier, stock=10, threshold=10),
        occurred_at=NOW,
    )
    await publish_envelope(amqp_url, events_exchange, low)
    await publish_envelope(amqp_url, events_exchange, low)  # redelivered

    def alerts_to(address: str) -> list[Any]:
        return [m for m in smtp.mailbox.to(address) if tier in m["Subject"]]

    async def all_sent() -> bool:
        posts = [p for p in webhook_posts if tier in p["text"]]
        return all(len(alerts_to(a)) == 1 for a in alert_recipients) and len(posts) == 1

    await eventually(all_sent)
    await asyncio.sleep(0.5)
    assert all(len(alerts_to(a)) == 1 for a in alert_recipients)
    assert len([p for p in webhook_posts if tier in p["text"]]) == 1


async def test_mail_waits_out_an_smtp_outage_and_is_delivered_once(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    new_email: Any,
) -> None:
    user, email = uuid.uuid4(), new_email()
    await publish_envelope(amqp_url, events_exchange, registered(user, email))
    smtp.stop()
    try:
        await publish_envelope(amqp_url, events_exchange, claimed(user))

        async def tried_and_waiting() -> bool:
            rows = [n for n in await notifications(client, minter) if n["recipient"] == email]
            return bool(rows) and rows[0]["attempts"] >= 1 and rows[0]["status"] == "pending"

        await eventually(tried_and_waiting)
    finally:
        smtp.start()

    async def delivered_and_recorded() -> bool:
        # the sink has the mail a moment before the sender records it as sent
        rows = [n for n in await notifications(client, minter) if n["recipient"] == email]
        return bool(smtp.mailbox.to(email)) and rows[0]["status"] == "sent"

    await eventually(delivered_and_recorded)
    await asyncio.sleep(0.3)  # room for a wrong second mail
    assert len(smtp.mailbox.to(email)) == 1
    [row] = [n for n in await notifications(client, minter) if n["recipient"] == email]
    assert row["attempts"] >= 2


async def test_a_refused_address_ends_failed_with_its_error_for_admins(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    new_email: Any,
) -> None:
    user, email = uuid.uuid4(), new_email()
    smtp.mailbox.refused.add(email)
    await publish_envelope(amqp_url, events_exchange, registered(user, email))
    await publish_envelope(amqp_url, events_exchange, claimed(user))

    async def failed() -> bool:
        rows = await notifications(client, minter, status="failed")
        return any(n["recipient"] == email for n in rows)

    await eventually(failed)
    [row] = [
        n for n in await notifications(client, minter, status="failed") if n["recipient"] == email
    ]
    assert "550" in row["last_error"]
    assert row["attempts"] == 1  # a permanent refusal is not retried
    assert smtp.mailbox.to(email) == []


async def test_shoppers_cannot_use_admin_routes(
    client: httpx.AsyncClient, minter: TokenMinter
) -> None:
    for method, path in (
        ("GET", "/notifications/admin/notifications"),
        ("POST", "/notifications/admin/reminders/run"),
        ("GET", "/notifications/admin/alert-recipients"),
        ("PUT", "/notifications/admin/alert-recipients"),
    ):
        response = await client.request(method, path, headers=minter.headers(), json={})
        assert response.status_code == 403, path


async def test_alert_recipients_are_managed_by_admins(
    client: httpx.AsyncClient, minter: TokenMinter, alert_recipients: list[str]
) -> None:
    admin = minter.headers(role="admin")
    seeded = (await client.get("/notifications/admin/alert-recipients", headers=admin)).json()
    assert seeded == {"emails": sorted(alert_recipients)}
    bad = await client.put(
        "/notifications/admin/alert-recipients", headers=admin, json={"emails": ["not an email"]}
    )
    assert bad.status_code == 422
    kept = (await client.get("/notifications/admin/alert-recipients", headers=admin)).json()
    assert kept == seeded  # nothing written by the refused request


async def test_the_notification_consumer_declares_the_types_its_handlers_take(
    client: httpx.AsyncClient,
) -> None:
    """The queue binds exactly what the handlers take; the test kit's copy (used by tests
    that play this consumer) says the same."""
    from checkin_testkit.events import SUBSCRIPTIONS

    consumer = client.app.state.consumer  # type: ignore[attr-defined]
    assert sorted(consumer.handlers) == SUBSCRIPTIONS["notification"]


async def test_no_row_lock_is_held_while_the_mail_server_is_spoken_to(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
    new_email: Any,
) -> None:
    """The notification is leased in a short transaction and the SMTP conversation runs
    with none open: in the middle of it, the row can be locked by anyone else at once."""
    from notification_service.log.models import Notification
    from sqlalchemy import select

    user, email = uuid.uuid4(), new_email()
    await publish_envelope(amqp_url, events_exchange, registered(user, email))
    smtp.mailbox.holding.set()
    try:
        await publish_envelope(amqp_url, events_exchange, claimed(user))
        assert await asyncio.to_thread(smtp.mailbox.in_data.wait, 15)
        factory = client.app.state.session_factory  # type: ignore[attr-defined]
        async with factory() as session, session.begin():
            row = (
                await session.execute(
                    select(Notification)
                    .where(Notification.recipient == email)
                    .with_for_update(nowait=True)
                )
            ).scalar_one()
            assert row.status == "pending" and row.leased_until is not None
    finally:
        smtp.mailbox.release.set()
        smtp.mailbox.holding.clear()
        smtp.mailbox.in_data.clear()

    async def delivered() -> bool:
        rows = [n for n in await notifications(client, minter) if n["recipient"] == email]
        return len(smtp.mailbox.to(email)) == 1 and rows[0]["status"] == "sent"

    await eventually(delivered)
    smtp.mailbox.release.clear()


@pytest.mark.parametrize("loose", ["yes", "true", 1, 0, None])
async def test_the_reminder_preference_takes_only_a_json_boolean(
    client: httpx.AsyncClient, minter: TokenMinter, loose: Any
) -> None:
    answer = await client.put(
        "/notifications/me/preferences",
        json={"reminders": loose},
        headers=minter.headers(user_id=uuid.uuid4()),
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_error"


async def test_replacing_the_alert_recipients_is_audited(
    client: httpx.AsyncClient, minter: TokenMinter
) -> None:
    actor = uuid.uuid4()
    admin = minter.headers(role="admin", user_id=actor)
    await client.put(
        "/notifications/admin/alert-recipients", json={"emails": ["a@example.com"]}, headers=admin
    )
    await client.put(
        "/notifications/admin/alert-recipients", json={"emails": ["b@example.com"]}, headers=admin
    )
    log = await client.get(f"/notifications/admin/audit?actor_id={actor}", headers=admin)
    assert [(e["before"], e["after"]) for e in log.json()["items"]] == [
        ({"emails": ["a@example.com"]}, {"emails": ["b@example.com"]}),
        (log.json()["items"][1]["before"], {"emails": ["a@example.com"]}),
    ]
    assert {e["action"] for e in log.json()["items"]} == {"alert_recipients.replaced"}
