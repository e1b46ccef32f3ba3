"""Shoppers made of events, and a reminder scheduler and sender on a test's clock."""

import uuid
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from checkin_shared.clock import FrozenClock
from checkin_shared.events.contracts import (
    AttendanceCheckedInV1,
    PurchaseRecordedV1,
    UserRegisteredV1,
)
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import publish_envelope
from notification_service.reminders.service import ReminderScheduler


class Shoppers:
    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url, self.exchange = amqp_url, exchange

    async def make(
        self,
        *,
        registered: bool = True,
        purchased: bool = True,
        checked_in_at: datetime | None = None,
        locale: str | None = None,
    ) -> tuple[uuid.UUID, str]:
        user, email = uuid.uuid4(), f"r-{uuid.uuid4().hex[:10]}@example.com"
        at = datetime(2026, 11, 1, tzinfo=UTC)
        events: list[Any] = []
        if registered:
            events.append(UserRegisteredV1(user_id=user, email=email, name="R", locale=locale))
        if purchased:
            events.append(PurchaseRecordedV1(user_id=user, order_id=email, purchased_at=at))
        if checked_in_at:
            day = checked_in_at.astimezone(ZoneInfo("Asia/Seoul")).date()
            events.append(
                AttendanceCheckedInV1(user_id=user, day=day, checked_at=checked_in_at, total_days=1)
            )
        for data in events:
            await publish_envelope(self.amqp_url, self.exchange, wrap(data, occurred_at=at))
        return user, email


def scheduler_for(client: httpx.AsyncClient, clock: FrozenClock) -> ReminderScheduler:
    app = client.app  # type: ignore[attr-defined]
    return ReminderScheduler(
        app.state.session_factory,
        clock,
        app.state.reminders.templates,
        app.state.links,
        zone=ZoneInfo("Asia/Seoul"),
        at=time(20, 0),
        every_seconds=3600,
    )


async def deliver_as_of(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    """A sender on the test's clock (the app's runs on the system clock)."""
    from notification_service.delivery.channels import EmailChannel, WebhookChannel
    from notification_service.delivery.sender import Sender

    app = client.app  # type: ignore[attr-defined]
    settings = app.state.settings
    email = EmailChannel(settings)
    async with httpx.AsyncClient() as http:
        sender = Sender(
            app.state.session_factory,
            clock,
            settings,
            email=email,
            webhook=WebhookChannel(http),
        )
        while await sender.deliver_due():
            pass
    await email.close()


async def known(client: httpx.AsyncClient, user: uuid.UUID) -> bool:
    from notification_service.directory.models import Contact

    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        contact = await session.get(Contact, user)
        return contact is not None


async def remindable(client: httpx.AsyncClient, user: uuid.UUID) -> bool:
    """Every event of `Shoppers.make` applied: an address, and eligible."""
    from notification_service.directory.models import Contact

    async with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        contact = await session.get(Contact, user)
        return contact is not None and contact.eligible and contact.email is not None
