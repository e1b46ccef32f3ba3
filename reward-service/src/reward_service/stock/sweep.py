"""The daily stock sweep: re-announce every tier still at or under its threshold, once per
business day across all replicas (the sweep_run key decides who runs it)."""

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from checkin_shared.clock import Clock
from checkin_shared.periodic import Periodic, report_daily_run
from checkin_shared.unit_of_work import unit_of_work
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reward_service.campaigns import service as campaigns
from reward_service.stock.events import announce_low_stock
from reward_service.stock.gauges import refresh_stock_gauges
from reward_service.stock.models import SweepRun
from reward_service.stock.service import low_tiers

log = logging.getLogger(__name__)
SWEEP_TASK = "stock-sweep"


async def sweep(session: AsyncSession, *, day: date, now: datetime) -> int | None:
    """Announce low tiers for `day`; None when that day was swept already (anywhere)."""
    claimed = await session.execute(
        insert(SweepRun)
        .values(day=day, ran_at=now)
        .on_conflict_do_nothing()
        .returning(SweepRun.day)
    )
    if claimed.scalar_one_or_none() is None:
        return None
    tiers = await low_tiers(session)
    for tier in tiers:
        await announce_low_stock(session, tier, stock=tier.stock, now=now)
    return len(tiers)


async def last_sweep(session: AsyncSession) -> datetime | None:
    """When the sweep last ran, on any replica."""
    return await session.scalar(select(func.max(SweepRun.ran_at)))


def due(now: datetime, zone: ZoneInfo, at: time) -> date | None:
    """The business day to sweep if its sweep time has come, else None."""
    local = now.astimezone(zone)
    return local.date() if local.time() >= at else None


class StockSweeper:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        default_zone: str,
        at: time,
        every_seconds: float,
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.default_zone = default_zone
        self.at = at
        self.job = Periodic(SWEEP_TASK, every_seconds, self.run_once)

    async def run_once(self) -> int | None:
        """Sweep today if it is time and nobody has; returns the tiers announced. Each
        tick also refreshes the stock gauges and the sweep's last run."""
        now = self.clock.now()
        async with unit_of_work(self.factory) as session:
            campaign = await campaigns.find(session, now)
            zone = ZoneInfo(campaign.timezone if campaign else self.default_zone)
            day = due(now, zone, self.at)
            announced = None if day is None else await sweep(session, day=day, now=now)
        async with self.factory() as session:
            await refresh_stock_gauges(session)
            report_daily_run(SWEEP_TASK, await last_sweep(session))
        if announced is not None:
            log.info("stock sweep for %s: %d low tier(s) announced", day, announced)
        return announced
