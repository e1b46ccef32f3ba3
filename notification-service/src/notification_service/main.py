"""The notification service app: `uvicorn notification_service.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from checkin_shared.app import create_service_app
from checkin_shared.audit import audit_router
from checkin_shared.clock import Clock, SystemClock
from checkin_shared.events.consumer import Batched, Handler
from checkin_shared.events.wiring import make_consumer
from checkin_shared.keysets import KeySet
from checkin_shared.logs import configure_logging
from checkin_shared.runtime import service_runtime
from checkin_shared.unit_of_work import unit_of_work
from fastapi import FastAPI

from notification_service.alerts.fulfilment import FulfilmentHandlers
from notification_service.alerts.handlers import AlertHandlers
from notification_service.alerts.points import PointsHandlers
from notification_service.config import NotificationSettings
from notification_service.db import AUDIT, INBOX
from notification_service.delivery.channels import EmailChannel, WebhookChannel
from notification_service.delivery.sender import Sender
from notification_service.directory import handlers as directory
from notification_service.directory import links
from notification_service.directory import router as directory_router
from notification_service.directory import service as directory_service
from notification_service.directory.models import Contact
from notification_service.log import router as log_router
from notification_service.reminders.service import ReminderScheduler
from notification_service.rendering import Branding, Templates
from notification_service.shop_webhooks import handlers as shop_webhook_handlers
from notification_service.shop_webhooks import router as shop_webhooks_router
from notification_service.shop_webhooks.channel import ShopWebhookChannel


def create_app(
    settings: NotificationSettings | None = None,
    clock: Clock | None = None,
    keys: KeySet | None = None,
) -> FastAPI:
    settings = settings or NotificationSettings()
    configure_logging("notification", settings.log_level, json_lines=settings.log_json)
    the_clock = clock or SystemClock()
    templates = Templates(
        settings.locale,
        Branding(
            shop_name=settings.shop_name,
            event_page_url=settings.event_page_url,
            logo_url=settings.logo_url,
        ),
    )
    alerts = AlertHandlers(templates, settings.slack_webhook_url)
    fulfilment = FulfilmentHandlers(templates)
    points = PointsHandlers(templates, settings.business_timezone)
    handlers: dict[str, Handler | Batched] = {
        "user.registered.v1": directory.on_registered,
        "user.profile_changed.v1": directory.on_profile_changed,
        "purchase.recorded.v1": directory.on_purchase,
        "user.eligibility_changed.v1": directory.on_eligibility_changed,
        "attendance.checked_in.v1": directory.on_checked_in,
        "reward.claimed.v1": Batched(alerts.on_claimed_many),
        "reward.stock_low.v1": alerts.on_stock_low,
        "reward.points_changed.v1": shop_webhook_handlers.on_points_changed,
        "reward.fulfilment_changed.v1": fulfilment.on_fulfilment_changed,
        "reward.points_expiring.v1": points.on_points_expiring,
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            service_runtime(
                app, service="notification", settings=settings, clock=the_clock, keys=keys
            ) as factory,
            httpx.AsyncClient(timeout=10) as http,
        ):
            async with unit_of_work(factory) as session:
                await directory_service.seed_recipients(
                    session, settings.alert_recipients, now=the_clock.now()
                )
                secret = await links.load_secret(session, now=the_clock.now())
            signer = links.LinkSigner(secret, settings.public_url)
            email = EmailChannel(settings)
            sender = Sender(
                factory,
                the_clock,
                settings,
                email=email,
                webhook=WebhookChannel(http),
                shop_webhook=ShopWebhookChannel(
                    http, factory, allow_loopback=settings.allow_loopback_urls
                ),
            )
            consumer = make_consumer(
                service="notification",
                settings=settings,
                inbox=INBOX,
                session_factory=factory,
                handlers=handlers,
                on_committed=sender.wake_for,  # what the events queued is sent at once
            )
            reminders = ReminderScheduler(
                factory,
                the_clock,
                templates,
                signer,
                zone=settings.zone,
                at=settings.reminder_at,
                every_seconds=settings.reminder_check_seconds,
            )
            app.state.consumer, app.state.sender, app.state.reminders = consumer, sender, reminders
            app.state.links, app.state.templates = signer, templates
            await consumer.start()
            sender.start()
            reminders.job.start()
            try:
                yield
            finally:
                await reminders.job.stop()
                await consumer.stop()
                await sender.stop()
                await email.close()

    app = create_service_app(
        service="notification",
        segment="notifications",
        title="notification-service",
        description="Claim emails, low-stock alerts, daily reminders; the delivery log.",
        lifespan=lifespan,
    )
    app.include_router(log_router.router)
    app.include_router(directory_router.router)
    app.include_router(shop_webhooks_router.router)
    app.include_router(log_router.admin)
    contacts = Contact.__table__
    app.include_router(
        audit_router("notifications", AUDIT, contacts, contacts.c.user_id, contacts.c.email)
    )
    return app
