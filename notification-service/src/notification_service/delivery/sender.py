"""The sender loop: delivers due notifications, retries with exponential back-off, and
marks a notification failed after the configured attempts (or at once when permanent).
Rows are taken with FOR UPDATE SKIP LOCKED, so every replica can run it, and leased in a
short transaction (`leased_until`, on the database's clock, which every replica shares);
the mail is spoken with no transaction open, and the outcome recorded in a second one. A
replica that dies while sending leaves the lease to expire: the notification is sent
again (same Message-ID).
It wakes when the consumer commits new notifications, and polls anyway; a process runs
`sender_workers` such loops at once."""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from checkin_shared.clock import Clock
from checkin_shared.unit_of_work import unit_of_work
from prometheus_client import Counter
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notification_service.config import NotificationSettings
from notification_service.delivery.channels import (
    Channel,
    DeliveryFailed,
    EmailChannel,
    WebhookChannel,
)
from notification_service.log.models import Notification

log = logging.getLogger(__name__)
NOTIFICATIONS = Counter(
    "notifications_total",
    "Delivery attempts by channel, kind and outcome",
    ["channel", "kind", "outcome"],
)


class Sender:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: NotificationSettings,
        *,
        email: EmailChannel,
        webhook: WebhookChannel,
        shop_webhook: Channel | None = None,
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.settings = settings
        self.channels: dict[str, Channel] = {"email": email, "webhook": webhook}
        if shop_webhook is not None:
            self.channels["shop_webhook"] = shop_webhook
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        # One loop at a time waits for a wake (the others queue here): a commit that
        # queued nothing (most of them: check-ins) costs one empty lease, not one per loop.
        self._one_waits = asyncio.Lock()

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.settings.retry_base_seconds * 2 ** (attempts - 1)
        return timedelta(seconds=min(seconds, self.settings.retry_max_seconds))

    async def deliver_due(self) -> int:
        """One batch of due notifications; returns how many were attempted."""
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.sender_lease_seconds)
        async with unit_of_work(self.factory) as session:
            due = list(
                (
                    await session.execute(
                        select(Notification)
                        .where(
                            Notification.status == "pending",
                            Notification.next_attempt_at <= now,
                            or_(
                                Notification.leased_until.is_(None),
                                Notification.leased_until < func.now(),
                            ),
                        )
                        .order_by(Notification.next_attempt_at)
                        .limit(self.settings.sender_batch_size)
                        .with_for_update(skip_locked=True)
                    )
                ).scalars()
            )
            for notification in due:
                notification.leased_until = func.now() + lease
        if not due:
            return 0
        results = await asyncio.gather(
            *(self.channels[n.channel].send(n) for n in due), return_exceptions=True
        )
        outcome = {n.id: result for n, result in zip(due, results, strict=True)}
        now = self.clock.now()
        async with unit_of_work(self.factory) as session:
            leased = await session.execute(
                select(Notification).where(Notification.id.in_(list(outcome))).with_for_update()
            )
            for notification in leased.scalars():
                notification.leased_until = None
                self._record(notification, outcome[notification.id], now)
        return len(due)

    def _record(self, notification: Notification, result: object, now: datetime) -> None:
        notification.attempts += 1
        if result is None or isinstance(result, int):  # nothing, or the receiver's status
            notification.status, notification.sent_at, notification.last_error = "sent", now, None
            notification.response_status = result
            outcome = "sent"
        else:
            if isinstance(result, DeliveryFailed):
                notification.response_status = result.response_status
            permanent = isinstance(result, DeliveryFailed) and result.permanent
            notification.last_error = str(result)[:2000] or repr(result)
            limit = (
                self.settings.shop_webhook_max_attempts
                if notification.channel == "shop_webhook"
                else self.settings.max_attempts
            )
            if permanent or notification.attempts >= limit:
                notification.status = "failed"
                outcome = "failed"
            else:
                notification.next_attempt_at = now + self.backoff(notification.attempts)
                outcome = "retried"
            log.warning(
                "notification %s: %s (%s)", notification.id, notification.last_error, outcome
            )
        NOTIFICATIONS.labels(notification.channel, notification.kind, outcome).inc()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """`sender_workers` loops: while one waits for the mail server's answers to its
        batch, another leases and sends what came meanwhile (leases keep them apart, as
        they keep replicas apart)."""
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"notification-sender-{n}")
            for n in range(self.settings.sender_workers)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _loop(self) -> None:
        while True:
            try:
                if await self.deliver_due() == self.settings.sender_batch_size:
                    continue
            except Exception as exc:  # the loop outlives any single failure
                log.warning("sender: %s", exc)
            async with self._one_waits:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.sender_poll_seconds)
                self._wake.clear()
