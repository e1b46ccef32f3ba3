"""The sender loop: delivers due notifications, retries with exponential back-off, and
marks a notification failed after the configured attempts (or at once when permanent).
Rows are taken with FOR UPDATE SKIP LOCKED, so every replica can run it, and leased in a
short transaction (`leased_until`, on the database's clock, which every replica shares);
the mail is spoken with no transaction open, and the outcome recorded in a second one. A
replica that dies while sending leaves the lease to expire: the notification is sent
again (same Message-ID).
It wakes when the consumer commits a batch that queued notifications (not for one that
queued none: most batches are check-ins), and polls anyway; a process runs
`sender_workers` such loops at once."""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import cast

from checkin_shared.clock import Clock
from checkin_shared.unit_of_work import unit_of_work
from prometheus_client import Counter
from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notification_service.config import NotificationSettings
from notification_service.delivery.channels import (
    Channel,
    DeliveryFailed,
    EmailChannel,
    WebhookChannel,
)
from notification_service.log.models import Notification
from notification_service.log.service import queued_in

log = logging.getLogger(__name__)
_TABLE = cast(Table, Notification.__table__)
# What a delivered notification records, for many at once (one executemany).
RECORD_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("notification_id"))
    .values(
        status="sent",
        sent_at=bindparam("now"),
        last_error=None,
        response_status=bindparam("status_code"),
        attempts=_TABLE.c.attempts + 1,
        leased_until=None,
    )
)
NOTIFICATIONS = Counter(
    "notifications_total",
    "Delivery attempts by channel, kind and outcome",
    ["channel", "kind", "outcome"],
)


def _delivered(result: object) -> bool:
    """A channel's send returns nothing (a mail) or the receiver's status (a webhook)."""
    return result is None or isinstance(result, int)


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
        # One loop at a time waits for a wake (the others queue here): a wake with
        # nothing due costs one empty lease, not one per loop.
        self._one_waits = asyncio.Lock()

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.settings.retry_base_seconds * 2 ** (attempts - 1)
        return timedelta(seconds=min(seconds, self.settings.retry_max_seconds))

    async def deliver_due(self) -> int:
        """One batch of due notifications; returns how many were attempted. The lease and
        the record of what was sent are one statement each (a batch of 20 cost 40 round
        trips as one UPDATE per row); a failure is recorded row by row, as it needs its
        attempts and its channel's limit."""
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.sender_lease_seconds)
        due_ids = (
            select(Notification.id)
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
        async with unit_of_work(self.factory) as session:
            leased = await session.execute(
                update(Notification)
                .where(Notification.id.in_(due_ids.scalar_subquery()))
                .values(leased_until=func.now() + lease)
                .returning(Notification),
                execution_options={"synchronize_session": False},
            )
            due = sorted(leased.scalars(), key=lambda n: n.next_attempt_at)
        if not due:
            return 0
        results = await asyncio.gather(
            *(self.channels[n.channel].send(n) for n in due), return_exceptions=True
        )
        now = self.clock.now()
        sent = [(n, r) for n, r in zip(due, results, strict=True) if _delivered(r)]
        failed = {
            n.id: r for n, r in zip(due, results, strict=True) if isinstance(r, BaseException)
        }
        async with unit_of_work(self.factory) as session:
            if sent:
                await session.execute(
                    RECORD_SENT,
                    [{"notification_id": n.id, "status_code": r, "now": now} for n, r in sent],
                )
            if failed:
                rows = await session.execute(
                    select(Notification).where(Notification.id.in_(list(failed))).with_for_update()
                )
                for notification in rows.scalars():
                    notification.leased_until = None
                    self._record_failure(notification, failed[notification.id], now)
        for notification, _ in sent:
            NOTIFICATIONS.labels(notification.channel, notification.kind, "sent").inc()
        return len(due)

    def _record_failure(
        self, notification: Notification, result: BaseException, now: datetime
    ) -> None:
        notification.attempts += 1
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
        log.warning("notification %s: %s (%s)", notification.id, notification.last_error, outcome)
        NOTIFICATIONS.labels(notification.channel, notification.kind, outcome).inc()

    def wake(self) -> None:
        self._wake.set()

    def wake_for(self, committed: AsyncSession) -> None:
        """Wakes the loops if the committed work queued notifications: a batch of
        check-ins costs no lease."""
        if queued_in(committed):
            self.wake()

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
