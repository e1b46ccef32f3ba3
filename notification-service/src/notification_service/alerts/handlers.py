"""Claim emails to the shopper and low-stock alerts to the admins (and a webhook)."""

import uuid
from typing import Any

from checkin_shared.events.contracts import RewardClaimedV1, RewardStockLowV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.directory.models import AlertRecipient, Contact
from notification_service.log.service import enqueue
from notification_service.rendering import Templates
from notification_service.shop_webhooks import service as shop_webhooks


class ContactUnknown(Exception):
    """The claim's shopper has no address yet (user.registered.v1 may still be on its way):
    failing makes the consumer retry after a delay instead of dropping the mail."""


class AlertHandlers:
    def __init__(self, templates: Templates, webhook_url: str | None) -> None:
        self.templates = templates
        self.webhook_url = webhook_url

    async def on_claimed(self, session: AsyncSession, envelope: Envelope, data: Any) -> None:
        assert isinstance(data, RewardClaimedV1)
        await tell_the_shop(session, envelope, data)
        contact = await session.get(Contact, data.user_id)
        if contact is None or contact.email is None:
            raise ContactUnknown(f"no email known for user {data.user_id}")
        message = self.templates.render(
            "reward_claimed",
            locale=contact.locale,
            name=contact.name,
            tier_name=data.tier_name,
            points=data.points,
            claim_number=data.claim_number or str(data.claim_id),
        )
        await enqueue(
            session,
            cause=f"claim:{data.claim_id}",
            kind="reward_claimed",
            channel="email",
            recipient=contact.email,
            message=message,
            now=envelope.occurred_at,
            user_id=data.user_id,
        )

    async def on_stock_low(self, session: AsyncSession, envelope: Envelope, data: Any) -> None:
        assert isinstance(data, RewardStockLowV1)
        message = self.templates.render(
            "stock_low", tier_name=data.tier_name, stock=data.stock, threshold=data.threshold
        )
        cause = f"stock_low:{envelope.id}"
        recipients = (await session.execute(select(AlertRecipient.email))).scalars().all()
        for email in recipients:
            await enqueue(
                session,
                cause=cause,
                kind="stock_low",
                channel="email",
                recipient=email,
                message=message,
                now=envelope.occurred_at,
            )
        if self.webhook_url:
            await enqueue(
                session,
                cause=cause,
                kind="stock_low",
                channel="webhook",
                recipient=self.webhook_url,
                message=message,
                now=envelope.occurred_at,
            )


async def tell_the_shop(session: AsyncSession, envelope: Envelope, data: RewardClaimedV1) -> None:
    """`reward.claimed` for every claim; `points.credited` for a points tier's."""
    told = data.model_dump(mode="json")
    await shop_webhooks.tell(
        session,
        event_type="reward.claimed",
        event_id=envelope.id,
        occurred_at=envelope.occurred_at,
        data=told,
    )
    if data.kind == "points" and data.points:
        await shop_webhooks.tell(
            session,
            event_type="points.credited",
            event_id=uuid.uuid5(envelope.id, "points.credited"),
            occurred_at=envelope.occurred_at,
            data={
                "user_id": told["user_id"],
                "amount": data.points,
                "reason": f"reward: {data.tier_name}",
                "claim_id": told["claim_id"],
            },
        )
