"""Order webhooks: made by an admin (the secret shown once); each signed post applied
once by its `event_id`, as the purchase import would apply it. Helpers flush; the unit of
work commits."""

import secrets
import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.webhook_signature import problem_with
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.purchases import service as purchases
from auth_service.purchases.schemas import PurchaseImportItem
from auth_service.webhooks.models import OrderWebhook, OrderWebhookEvent
from auth_service.webhooks.schemas import OrderEvent, Outcome

STATUS_OF = {"order.paid": "paid", "order.refunded": "refunded", "order.cancelled": "cancelled"}


async def create(session: AsyncSession, *, name: str, now: datetime) -> OrderWebhook:
    webhook = OrderWebhook(
        id=uuid.uuid4(), name=name, secret="whsec_" + secrets.token_urlsafe(24), created_at=now
    )
    session.add(webhook)
    await session.flush()
    return webhook


async def listed(session: AsyncSession) -> list[OrderWebhook]:
    """Every order webhook, oldest first (a shop has a handful)."""
    found = await session.execute(select(OrderWebhook).order_by(OrderWebhook.created_at))
    return list(found.scalars())


async def verified(
    session: AsyncSession,
    webhook_id: uuid.UUID,
    body: bytes,
    *,
    timestamp: str | None,
    signed: str | None,
    now: datetime,
) -> OrderWebhook:
    """The webhook, when the post is signed with its secret: else 404 or 401."""
    webhook = await session.get(OrderWebhook, webhook_id)
    if webhook is None:
        raise ProblemError(404, "webhook_not_found", "Webhook not found", "No such webhook")
    why = problem_with(
        webhook.secret, body, timestamp=timestamp, signed=signed, now=now.timestamp()
    )
    if why is not None:
        raise ProblemError(401, "invalid_signature", "Invalid signature", why)
    return webhook


async def apply(
    session: AsyncSession, webhook: OrderWebhook, event: OrderEvent, *, now: datetime
) -> Outcome:
    """`applied`, `duplicate` (this event_id was applied before: nothing again) or
    `pending_shopper` (kept for an email with no account yet)."""
    first = await session.execute(
        insert(OrderWebhookEvent)
        .values(
            webhook_id=webhook.id,
            event_id=event.event_id,
            event_type=event.type,
            order_id=event.order.order_id,
            outcome="applied",
            received_at=now,
        )
        .on_conflict_do_nothing()
        .returning(OrderWebhookEvent.event_id)
    )
    if first.scalar_one_or_none() is None:
        return "duplicate"
    item = PurchaseImportItem(**event.order.model_dump(), status=STATUS_OF[event.type])
    result = await purchases.import_purchases(session, [item], now=now)
    outcome: Outcome = "pending_shopper" if result.unregistered else "applied"
    if outcome != "applied":
        row = await session.scalar(
            select(OrderWebhookEvent).where(
                OrderWebhookEvent.webhook_id == webhook.id,
                OrderWebhookEvent.event_id == event.event_id,
            )
        )
        assert row is not None
        row.outcome = outcome
    return outcome
