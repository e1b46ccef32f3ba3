"""Points about to expire: the shopper's warning mail (about 7 days before, once per
credit), with how many points and when, in the shopper's language and the shop's zone."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from checkin_shared.events.contracts import RewardPointsExpiringV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.alerts.handlers import ContactUnknown
from notification_service.directory.models import Contact
from notification_service.log.service import enqueue
from notification_service.rendering import Templates

KIND = "points_expiring"


class PointsHandlers:
    def __init__(self, templates: Templates, business_timezone: str) -> None:
        self.templates = templates
        self.zone = ZoneInfo(business_timezone)

    async def on_points_expiring(
        self, session: AsyncSession, envelope: Envelope, data: Any
    ) -> None:
        assert isinstance(data, RewardPointsExpiringV1)
        contact = await session.get(Contact, data.user_id)
        if contact is None or contact.email is None:
            raise ContactUnknown(f"no email known for user {data.user_id}")
        # the last day they can be spent: the day that ends at that midnight
        last_day = (data.expires_at.astimezone(self.zone) - timedelta(microseconds=1)).date()
        message = self.templates.render(
            KIND,
            locale=contact.locale,
            name=contact.name,
            amount=data.amount,
            last_day=last_day.isoformat(),
        )
        await enqueue(
            session,
            cause=f"points-expiring:{envelope.id}",
            kind=KIND,
            channel="email",
            recipient=contact.email,
            message=message,
            now=envelope.occurred_at,
            user_id=data.user_id,
        )
