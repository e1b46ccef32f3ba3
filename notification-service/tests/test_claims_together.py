"""Claims that arrive together are handled as one run (one read of the webhooks, one of
the shoppers, one statement per kind of row): each claim still gets its one mail and its
webhook deliveries, a claim seen twice is queued once, and a shopper whose address is
not known yet fails the run without writing anything (the consumer then takes the events
one by one). The handler is called on a real session, rolled back at the end."""

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import pytest
from checkin_shared.events.contracts import RewardClaimedV1
from checkin_shared.events.envelope import Envelope, wrap
from checkin_testkit.tokens import TokenMinter
from notification_service.alerts.handlers import AlertHandlers, ContactUnknown
from notification_service.directory.models import Contact
from notification_service.log.models import Notification
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


Claim = tuple[Envelope, RewardClaimedV1]


def claimed(user: uuid.UUID, kind: Literal["points", "item"]) -> Claim:
    data = RewardClaimedV1(
        claim_id=uuid.uuid4(),
        claim_number="C-000042",
        user_id=user,
        tier_id=uuid.uuid4(),
        tier_name="5,000 points" if kind == "points" else "Earphones",
        kind=kind,
        points=5000 if kind == "points" else None,
        claimed_at=NOW,
        stock_left=3,
    )
    return wrap(data, occurred_at=NOW, producer="reward"), data


def contact(user: uuid.UUID, email: str | None, locale: str | None = None) -> Contact:
    return Contact(
        user_id=user, email=email, name="Kim", eligible=True, locale=locale, updated_at=NOW
    )


@pytest.fixture
async def hook(client: httpx.AsyncClient, minter: TokenMinter) -> Any:
    admin = minter.headers(role="admin")
    made = await client.post(
        "/notifications/admin/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["reward.claimed", "points.credited"]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    yield made.json()
    await client.delete(f"/notifications/admin/webhooks/{made.json()['id']}", headers=admin)


async def queued_for(session: AsyncSession, events: list[Claim]) -> list[Any]:
    """The rows queued for these claims (as plain rows: they outlive the session)."""
    claims = [f"claim:{data.claim_id}" for _, data in events]
    ids = [e.id for e, _ in events] + [uuid.uuid5(e.id, "points.credited") for e, _ in events]
    n = Notification
    columns = (n.channel, n.recipient, n.cause, n.kind, n.event_id, n.webhook_id, n.subject)
    rows = await session.execute(
        select(*columns, n.body_html).where(
            Notification.cause.in_(claims) | Notification.event_id.in_(ids)
        )
    )
    return list(rows.all())


async def test_claims_arriving_together_each_get_one_mail_and_their_webhooks(
    client: httpx.AsyncClient, hook: Any
) -> None:
    app = client.app  # type: ignore[attr-defined]
    handlers = AlertHandlers(app.state.templates, None)
    first, second = uuid.uuid4(), uuid.uuid4()
    points, item, again = claimed(first, "points"), claimed(second, "item"), claimed(first, "item")
    run = [points, item, again, item]  # the item claim seen twice in the run
    async with app.state.session_factory() as session:
        session.add_all(
            [contact(first, "first@example.com"), contact(second, "second@example.com", "ko")]
        )
        await session.flush()
        await handlers.on_claimed_many(session, list(run))
        rows = await queued_for(session, [points, item, again])
        await session.rollback()
    mails = sorted((n.recipient, n.cause) for n in rows if n.channel == "email")
    assert mails == sorted(
        [
            ("first@example.com", f"claim:{points[1].claim_id}"),
            ("second@example.com", f"claim:{item[1].claim_id}"),
            ("first@example.com", f"claim:{again[1].claim_id}"),
        ]
    )
    korean = next(n for n in rows if n.recipient == "second@example.com")
    assert "Earphones" in korean.subject and korean.body_html
    told = sorted((n.kind, n.event_id) for n in rows if n.channel == "shop_webhook")
    assert told == sorted(
        [
            ("reward.claimed", points[0].id),
            ("points.credited", uuid.uuid5(points[0].id, "points.credited")),
            ("reward.claimed", item[0].id),
            ("reward.claimed", again[0].id),
        ]
    )
    assert all(n.webhook_id == uuid.UUID(hook["id"]) for n in rows if n.channel == "shop_webhook")


async def test_a_shopper_not_known_yet_fails_the_run_and_nothing_is_queued(
    client: httpx.AsyncClient, hook: Any
) -> None:
    app = client.app  # type: ignore[attr-defined]
    handlers = AlertHandlers(app.state.templates, None)
    known, unknown, no_address = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    run = [claimed(known, "item"), claimed(unknown, "item"), claimed(no_address, "item")]
    async with app.state.session_factory() as session:
        session.add_all([contact(known, "known@example.com"), contact(no_address, None)])
        await session.flush()
        with pytest.raises(ContactUnknown, match=str(unknown)):
            await handlers.on_claimed_many(session, list(run))
        await session.rollback()
    async with app.state.session_factory() as session:
        assert await queued_for(session, run) == []
