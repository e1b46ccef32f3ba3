"""The shop's webhooks: registered by admins (the URL checked, the secret shown once),
told of events through the notification log (its retries, back-off and lease), their
deliveries listed per webhook. Helpers flush; the unit of work commits."""

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from checkin_shared.errors import ProblemError
from checkin_shared.outbound_urls import check_outbound_url
from checkin_shared.pagination import keyset_page
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.log.models import Notification
from notification_service.log.service import NEWEST_FIRST
from notification_service.shop_webhooks.models import ShopWebhook

CHANNEL = "shop_webhook"


async def create(
    session: AsyncSession,
    *,
    url: str,
    events: Sequence[str],
    allow_loopback: bool,
    now: datetime,
) -> ShopWebhook:
    await check_outbound_url(url, allow_loopback=allow_loopback)
    hook = ShopWebhook(
        id=uuid.uuid4(),
        url=url,
        events=sorted(set(events)),
        secret="whsec_" + secrets.token_urlsafe(24),
        created_at=now,
    )
    session.add(hook)
    await session.flush()
    return hook


async def active(session: AsyncSession) -> list[ShopWebhook]:
    rows = await session.execute(
        select(ShopWebhook).where(ShopWebhook.deleted_at.is_(None)).order_by(ShopWebhook.created_at)
    )
    return list(rows.scalars())


async def find_active(session: AsyncSession, webhook_id: uuid.UUID) -> ShopWebhook:
    hook = await session.get(ShopWebhook, webhook_id)
    if hook is None or hook.deleted_at is not None:
        raise ProblemError(404, "webhook_not_found", "Webhook not found", "No such webhook")
    return hook


async def delete(session: AsyncSession, webhook_id: uuid.UUID, *, now: datetime) -> None:
    """Nothing more is delivered to it (what is queued fails as 'webhook deleted')."""
    gone = await session.execute(
        update(ShopWebhook)
        .where(ShopWebhook.id == webhook_id, ShopWebhook.deleted_at.is_(None))
        .values(deleted_at=now)
        .returning(ShopWebhook.id)
    )
    if gone.scalar_one_or_none() is None:
        raise ProblemError(404, "webhook_not_found", "Webhook not found", "No such webhook")


async def tell(
    session: AsyncSession,
    *,
    event_type: str,
    event_id: uuid.UUID,
    occurred_at: datetime,
    data: dict[str, Any],
) -> int:
    """Queue a delivery of this event to every webhook that takes it: once per event and
    webhook, however often the cause is handled. Returns how many were queued."""
    hooks = await session.execute(
        select(ShopWebhook.id, ShopWebhook.url).where(
            ShopWebhook.deleted_at.is_(None), ShopWebhook.events.contains([event_type])
        )
    )
    payload = {
        "event_id": str(event_id),
        "type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }
    queued = 0
    for hook_id, url in hooks.all():
        inserted = await session.execute(
            insert(Notification)
            .values(
                id=uuid.uuid4(),
                cause=f"{event_type}:{event_id}:{hook_id}",
                kind=event_type,
                channel=CHANNEL,
                recipient=url,
                subject=event_type,
                body_text="",
                webhook_id=hook_id,
                event_id=event_id,
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=occurred_at,
                created_at=occurred_at,
            )
            .on_conflict_do_nothing(constraint="uq_notification_cause_recipient_channel")
            .returning(Notification.id)
        )
        queued += inserted.scalar_one_or_none() is not None
    return queued


async def deliveries(
    session: AsyncSession, webhook_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[Notification], str | None]:
    statement = select(Notification).where(Notification.webhook_id == webhook_id)
    return await keyset_page(session, statement, NEWEST_FIRST, cursor=cursor, limit=limit)
