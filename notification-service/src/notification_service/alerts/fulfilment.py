"""A claim shipped or cancelled: the shopper's mail (the tracking number, or the reason)
and, for a shipment, `fulfilment.shipped` to the shop's webhooks."""

from typing import Any

from checkin_shared.events.contracts import RewardFulfilmentChangedV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.alerts.handlers import ContactUnknown
from notification_service.directory.models import Contact
from notification_service.log.service import enqueue
from notification_service.rendering import Templates
from notification_service.shop_webhooks import service as shop_webhooks

MAIL_KIND = {"shipped": "fulfilment_shipped", "cancelled": "claim_cancelled"}


class FulfilmentHandlers:
    def __init__(self, templates: Templates) -> None:
        self.templates = templates

    async def on_fulfilment_changed(
        self, session: AsyncSession, envelope: Envelope, data: Any
    ) -> None:
        assert isinstance(data, RewardFulfilmentChangedV1)
        if data.status == "shipped":
            told = data.model_dump(mode="json", exclude={"reason"})
            await shop_webhooks.tell(
                session,
                event_type="fulfilment.shipped",
                event_id=envelope.id,
                occurred_at=envelope.occurred_at,
                data=told,
            )
        kind = MAIL_KIND.get(data.status)
        if kind is None:
            return  # delivered: the shopper knows
        contact = await session.get(Contact, data.user_id)
        if contact is None or contact.email is None:
            raise ContactUnknown(f"no email known for user {data.user_id}")
        message = self.templates.render(
            kind,
            locale=contact.locale,
            name=contact.name,
            tier_name=data.tier_name,
            claim_number=data.claim_number,
            carrier=data.carrier,
            tracking_number=data.tracking_number,
            reason=data.reason,
            points=data.kind == "points",
        )
        await enqueue(
            session,
            cause=f"fulfilment:{envelope.id}",
            kind=kind,
            channel="email",
            recipient=contact.email,
            message=message,
            now=envelope.occurred_at,
            user_id=data.user_id,
        )
