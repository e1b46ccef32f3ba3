"""Claim emails to the shopper and low-stock alerts to the admins (and a webhook)."""

import uuid
from typing import Any

from checkin_shared.events.contracts import RewardClaimedV1, RewardStockLowV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.directory.models import AlertRecipient, Contact
from notification_service.log.service import Queued, enqueue, enqueue_many
from notification_service.rendering import Templates
from notification_service.shop_webhooks import service as shop_webhooks


class ContactUnknown(Exception):
    """The claim's shopper has no address yet (user.registered.v1 may still be on its way):
    failing makes the consumer retry after a delay instead of dropping the mail."""


class AlertHandlers:
    def __init__(self, templates: Templates, webhook_url: str | None) -> None:
        self.templates = templates
        self.webhook_url = webhook_url

    async def on_claimed_many(
        self, session: AsyncSession, claims: list[tuple[Envelope, Any]]
    ) -> None:
        """The claims that arrived together: the shop's webhooks told of each, and a mail
        to each shopper, with one read of the webhooks, one of the shoppers and one
        statement for each kind of row, whatever the number. A shopper whose address is
        not known yet fails the run: the consumer then takes its events one by one, and
        only that one waits for the address (retried)."""
        for _, data in claims:
            assert isinstance(data, RewardClaimedV1)
        await shop_webhooks.tell_many(session, [t for e, d in claims for t in told(e, d)])
        users = {data.user_id for _, data in claims}
        found = await session.execute(select(Contact).where(Contact.user_id.in_(users)))
        contacts = {contact.user_id: contact for contact in found.scalars()}
        mails = []
        for envelope, data in claims:
            contact = contacts.get(data.user_id)
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
            mails.append(
                Queued(
                    cause=f"claim:{data.claim_id}",
                    kind="reward_claimed",
                    channel="email",
                    recipient=contact.email,
                    message=message,
                    now=envelope.occurred_at,
                    user_id=data.user_id,
                )
            )
        await enqueue_many(session, mails)

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


def told(envelope: Envelope, data: RewardClaimedV1) -> list[shop_webhooks.Told]:
    """`reward.claimed` for every claim; `points.credited` for a points tier's."""
    claimed = data.model_dump(mode="json")
    events = [shop_webhooks.Told("reward.claimed", envelope.id, envelope.occurred_at, claimed)]
    if data.kind == "points" and data.points:
        credited = {
            "user_id": claimed["user_id"],
            "amount": data.points,
            "reason": f"reward: {data.tier_name}",
            "claim_id": claimed["claim_id"],
        }
        credit_id = uuid.uuid5(envelope.id, "points.credited")
        events.append(
            shop_webhooks.Told("points.credited", credit_id, envelope.occurred_at, credited)
        )
    return events
