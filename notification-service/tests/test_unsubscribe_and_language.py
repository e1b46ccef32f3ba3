"""Reminders carry a one-click unsubscribe (RFC 8058) that works without signing in;
every mail is in the shopper's language and the shop's branding; claim mails name the
claim by its readable number."""

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from checkin_shared.clock import FrozenClock
from checkin_shared.events.contracts import RewardClaimedV1, UserRegisteredV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter
from notification_service.directory.models import Contact

sys.path.insert(0, str(Path(__file__).parent))
from shoppers import Shoppers, deliver_as_of, known, remindable, scheduler_for

DAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 21:00 in Seoul


async def reminders_on(client: httpx.AsyncClient, user: uuid.UUID) -> bool:
    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        contact = await session.get(Contact, user)
        assert contact is not None
        return contact.reminders


async def remind(client: httpx.AsyncClient, clock: FrozenClock) -> int:
    queued = await scheduler_for(client, clock).run_now()
    await deliver_as_of(client, clock)
    return queued


def plain(mail: Any) -> str:
    return str(mail.get_body(("plain",)).get_content())


def html(mail: Any) -> str:
    return str(mail.get_body(("html",)).get_content())


async def test_a_reminder_unsubscribes_in_one_click_without_signing_in(
    client: httpx.AsyncClient, smtp: Any, amqp_url: str, events_exchange: str
) -> None:
    user, email = await Shoppers(amqp_url, events_exchange).make()
    await eventually(lambda: remindable(client, user))
    clock = FrozenClock(DAY)
    await remind(client, clock)
    await eventually(lambda: _async(len(smtp.mailbox.to(email)) == 1))
    [mail] = smtp.mailbox.to(email)

    header = mail["List-Unsubscribe"]
    assert dict(mail.raw_items())["List-Unsubscribe"] == header  # as sent: no encoded words
    assert header.startswith("<https://rewards.shop.example/notifications/unsubscribe?token=")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url in plain(mail) and url.replace("&", "&amp;") in html(mail)
    path = urlsplit(url)
    local = f"{path.path}?{path.query}"

    # Opening the link (as a mail scanner would) only asks.
    page = await client.get(local)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in page.text
    assert await reminders_on(client, user)

    # The mail client's one-click: a form POST with no credentials.
    done = await client.post(
        local,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and done.json() == {"reminders": False}
    assert not await reminders_on(client, user)

    # No reminder the next day; the link stays good (a second click is harmless).
    await remind(client, FrozenClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC)))
    again = await client.post(local, headers={"Accept": "text/html"})
    assert again.status_code == 200 and "no more daily reminders" in again.text
    assert len(smtp.mailbox.to(email)) == 1


async def _async(value: bool) -> bool:
    return value


async def test_a_link_not_made_here_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, amqp_url: str, events_exchange: str
) -> None:
    user, _ = await Shoppers(amqp_url, events_exchange).make()
    other, _ = await Shoppers(amqp_url, events_exchange).make()
    await eventually(lambda: remindable(client, user))
    await eventually(lambda: known(client, other))
    links = client.app.state.links  # type: ignore[attr-defined]
    good = parse_qs(urlsplit(links.unsubscribe_url(user)).query)["token"][0]
    _, mac = good.split(".")
    forged = [
        f"{other.hex}.{mac}",  # someone else's id under this shopper's signature
        good[:-2],  # cut short
        good.upper(),
        user.hex,  # no signature
        "not-a-token",
        f"{user}.{mac}",  # the id with dashes
    ]
    for token in forged:
        for method in ("GET", "POST"):
            answer = await client.request(
                method, "/notifications/unsubscribe", params={"token": token}
            )
            assert answer.status_code == 400, (token, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["code"] == "invalid_link"
    missing = await client.post("/notifications/unsubscribe")
    assert missing.status_code == 422
    assert await reminders_on(client, user) and await reminders_on(client, other)


async def test_mails_are_in_the_shoppers_language_with_the_shops_branding(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    smtp: Any,
    amqp_url: str,
    events_exchange: str,
) -> None:
    """The shop's language is English here; a shopper who signed up in Korean gets Korean."""
    shoppers = Shoppers(amqp_url, events_exchange)
    korean, korean_email = await shoppers.make(locale="ko")
    default, default_email = await shoppers.make()
    await eventually(lambda: remindable(client, korean))
    await eventually(lambda: remindable(client, default))
    await remind(client, FrozenClock(DAY))
    await eventually(
        lambda: _async(bool(smtp.mailbox.to(korean_email)) and bool(smtp.mailbox.to(default_email)))
    )
    [ko] = smtp.mailbox.to(korean_email)
    [en] = smtp.mailbox.to(default_email)
    assert "출석 체크" in ko["Subject"] and "출석 체크" in plain(ko)
    assert "checked in" in en["Subject"] and "checked in" in plain(en)
    for mail in (ko, en):
        assert "Seoul Mart" in plain(mail)
        assert "https://shop.example/event" in plain(mail)
        assert '<img src="https://shop.example/logo.png"' in html(mail)
        assert 'href="https://shop.example/event"' in html(mail)

    # The shopper changes their language: the next mail follows it.
    chosen = await client.put(
        "/notifications/me/preferences",
        json={"reminders": True, "locale": "ko"},
        headers=minter.headers(user_id=default),
    )
    assert chosen.status_code == 200 and chosen.json() == {"reminders": True, "locale": "ko"}
    read = await client.get(
        "/notifications/me/preferences", headers=minter.headers(user_id=default)
    )
    assert read.json() == {"reminders": True, "locale": "ko"}
    await remind(client, FrozenClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC)))
    await eventually(lambda: _async(len(smtp.mailbox.to(default_email)) == 2))
    assert "출석 체크" in smtp.mailbox.to(default_email)[1]["Subject"]
    # ... and a late copy of the sign-up event does not undo the choice.
    late = UserRegisteredV1(user_id=default, email=default_email, name="R", locale="en")
    await publish_envelope(amqp_url, events_exchange, wrap(late, occurred_at=DAY))

    async def late_applied() -> bool:
        async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            contact = await session.get(Contact, default)
            return contact is not None and contact.updated_at == DAY

    await eventually(late_applied)
    read = await client.get(
        "/notifications/me/preferences", headers=minter.headers(user_id=default)
    )
    assert read.json()["locale"] == "ko"


async def test_a_language_not_offered_is_refused(
    client: httpx.AsyncClient, minter: TokenMinter
) -> None:
    user = uuid.uuid4()
    answer = await client.put(
        "/notifications/me/preferences",
        json={"reminders": True, "locale": "fr"},
        headers=minter.headers(user_id=user),
    )
    assert answer.status_code == 422
    read = await client.get("/notifications/me/preferences", headers=minter.headers(user_id=user))
    assert read.json() == {"reminders": True, "locale": None}


async def test_the_claim_mail_names_the_claim_by_its_number(
    client: httpx.AsyncClient, smtp: Any, amqp_url: str, events_exchange: str, new_email: Any
) -> None:
    user, email = uuid.uuid4(), new_email()
    claim = RewardClaimedV1(
        claim_id=uuid.uuid4(),
        claim_number="C-000042",
        user_id=user,
        tier_id=uuid.uuid4(),
        tier_name="Wireless earphones",
        kind="item",
        claimed_at=DAY,
        stock_left=3,
    )
    registered = UserRegisteredV1(user_id=user, email=email, name="Kim")
    for data in (registered, claim):
        await publish_envelope(amqp_url, events_exchange, wrap(data, occurred_at=DAY))
    await eventually(lambda: _async(len(smtp.mailbox.to(email)) == 1))
    [mail] = smtp.mailbox.to(email)
    assert "Claim number: C-000042" in plain(mail)
    assert str(claim.claim_id) not in plain(mail) + html(mail)
    assert mail["List-Unsubscribe"] is None  # a claim mail is not a reminder
