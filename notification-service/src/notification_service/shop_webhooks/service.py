"""The shop's webhooks: registered by admins (the URL checked, the secret shown once),
told of events through the notification log (its retries, back-off and lease), their
deliveries listed per webhook. Helpers flush; the unit of work commits."""

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checkin_shared.errors import ProblemError
from checkin_shared.outbound_urls import check_outbound_url
from checkin_shared.pagination import keyset_page
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.log.models import Notification
from notification_service.log.service import NEWEST_FIRST, QUEUE, note_queued
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


@dataclass(frozen=True)
class Told:
    """An event to tell the shop's webhooks of (see `tell_many`)."""

    event_type: str
    event_id: uuid.UUID
    occurred_at: datetime
    data: dict[str, Any]

    def delivery(self, hook_id: uuid.UUID, url: str) -> dict[str, Any]:
        """The notification row of its delivery to one webhook."""
        return {
            "id": uuid.uuid4(),
            "cause": f"{self.event_type}:{self.event_id}:{hook_id}",
            "kind": self.event_type,
            "channel": CHANNEL,
            "recipient": url,
            "subject": self.event_type,
            "body_text": "",
            "webhook_id": hook_id,
            "event_id": self.event_id,
            "payload": {
                "event_id": str(self.event_id),
                "type": self.event_type,
                "occurred_at": self.occurred_at.isoformat(),
                "data": self.data,
            },
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": self.occurred_at,
            "created_at": self.occurred_at,
        }


async def _subscribed(session: AsyncSession, event_types: set[str]) -> list[Any]:
    """The live webhooks taking any of these types: (id, url, events)."""
    hooks = await session.execute(
        select(ShopWebhook.id, ShopWebhook.url, ShopWebhook.events).where(
            ShopWebhook.deleted_at.is_(None), ShopWebhook.events.overlap(sorted(event_types))
        )
    )
    return list(hooks.all())


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
    told = Told(event_type, event_id, occurred_at, data)
    queued = 0
    for hook_id, url, _ in await _subscribed(session, {event_type}):
        note_queued(session)
        inserted = await session.execute(
            QUEUE.values(told.delivery(hook_id, url)).returning(Notification.id)
        )
        queued += inserted.scalar_one_or_none() is not None
    return queued


async def tell_many(session: AsyncSession, events: list[Told]) -> None:
    """`tell` for many events: one read of the webhooks, one statement for the rows."""
    if not events:
        return
    hooks = await _subscribed(session, {e.event_type for e in events})
    rows = [
        told.delivery(hook_id, url)
        for told in events
        for hook_id, url, types in hooks
        if told.event_type in types
    ]
    if rows:
        note_queued(session)
        await session.execute(QUEUE, rows)


async def deliveries(
    session: AsyncSession, webhook_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[Notification], str | None]:
    statement = select(Notification).where(Notification.webhook_id == webhook_id)
    return await keyset_page(session, statement, NEWEST_FIRST, cursor=cursor, limit=limit)
