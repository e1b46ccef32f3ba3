"""Stock per tier as metrics, read from the database on each sweeper tick, so every
replica reports the same levels whoever took the last unit."""

from prometheus_client import Gauge
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.tiers.models import Tier

STOCK_LEVEL = Gauge("reward_stock", "Units left of a reward tier", ["tier", "name"])
STOCK_THRESHOLD = Gauge(
    "reward_low_stock_threshold", "The stock at or under which a tier is low", ["tier", "name"]
)


async def refresh_stock_gauges(session: AsyncSession) -> None:
    tiers = (
        await session.execute(select(Tier.id, Tier.name, Tier.stock, Tier.low_stock_threshold))
    ).all()
    # No await between clearing and setting: a scrape never sees the gauges half-filled.
    STOCK_LEVEL.clear()
    STOCK_THRESHOLD.clear()
    for tier in tiers:
        STOCK_LEVEL.labels(str(tier.id), tier.name).set(tier.stock)
        STOCK_THRESHOLD.labels(str(tier.id), tier.name).set(tier.low_stock_threshold)
