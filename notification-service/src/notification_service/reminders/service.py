"""The daily reminder: every eligible shopper with reminders on and an address who has
not checked in on that business day gets one mail; once per shopper and day whoever runs
it (the notification key), and the scheduled run once per day across replicas."""

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from checkin_shared.clock import Clock
from checkin_shared.periodic import Periodic, report_daily_run
from checkin_shared.unit_of_work import unit_of_work
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notification_service.directory.links import LinkSigner
from notification_service.directory.models import Contact
from notification_service.log.models import ReminderRun
from notification_service.log.service import enqueue
from notification_service.rendering import Templates

log = logging.getLogger(__name__)
REMINDER_TASK = "reminders"


async def queue_reminders(
    session: AsyncSession, templates: Templates, links: LinkSigner, *, day: date, now: datetime
) -> int:
    """Queue the day's reminders; returns how many were new."""
    due = (
        (
            await session.execute(
                select(Contact).where(
                    Contact.eligible,
                    Contact.reminders,
                    Contact.email.is_not(None),
                    or_(Contact.last_check_in.is_(None), Contact.last_check_in < day),
                )
            )
        )
        .scalars()
        .all()
    )
    queued = 0
    for contact in due:
        assert contact.email is not None
        unsubscribe_url = links.unsubscribe_url(contact.user_id)
        message = templates.render(
            "reminder",
            locale=contact.locale,
            name=contact.name,
            day=day.isoformat(),
            unsubscribe_url=unsubscribe_url,
        )
        queued += await enqueue(
            session,
            cause=f"reminder:{day.isoformat()}",
            kind="reminder",
            channel="email",
            recipient=contact.email,
            message=message,
            now=now,
            user_id=contact.user_id,
            unsubscribe_url=unsubscribe_url,
        )
    return queued


class ReminderScheduler:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        templates: Templates,
        links: LinkSigner,
        *,
        zone: ZoneInfo,
        at: time,
        every_seconds: float,
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.templates = templates
        self.links = links
        self.zone = zone
        self.at = at
        self.job = Periodic(REMINDER_TASK, every_seconds, self.scheduled_tick)

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    async def run_now(self) -> int:
        """The admin's 'run it now': today's reminders, whatever the schedule did."""
        async with unit_of_work(self.factory) as session:
            return await queue_reminders(
                session, self.templates, self.links, day=self.today(), now=self.clock.now()
            )

    async def scheduled_tick(self) -> None:
        """The scheduled run if due, then the day's last run reported as a metric."""
        await self.run_if_due()
        async with self.factory() as session:
            last = await session.scalar(select(func.max(ReminderRun.ran_at)))
        report_daily_run(REMINDER_TASK, last)

    async def run_if_due(self) -> int | None:
        """The scheduled run: once per business day across replicas, after `at`."""
        now = self.clock.now()
        local = now.astimezone(self.zone)
        if local.time() < self.at:
            return None
        async with unit_of_work(self.factory) as session:
            won = await session.execute(
                insert(ReminderRun)
                .values(day=local.date(), ran_at=now, queued=0)
                .on_conflict_do_nothing()
                .returning(ReminderRun.day)
            )
            if won.scalar_one_or_none() is None:
                return None
            queued = await queue_reminders(
                session, self.templates, self.links, day=local.date(), now=now
            )
            run = await session.get(ReminderRun, local.date())
            assert run is not None
            run.queued = queued
        log.info("reminders for %s: %d queued", local.date(), queued)
        return queued
