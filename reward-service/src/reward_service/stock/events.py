"""Stock events: a low-stock alert exactly when a change crosses the threshold."""

from datetime import datetime

from checkin_shared.events.contracts import RewardStockLowV1
from checkin_shared.events.outbox import add_event
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import OUTBOX
from reward_service.tiers.models import Tier


def crossed_threshold(before: int, after: int, threshold: int) -> bool:
    """True when this change took the stock from above the threshold to at or under it."""
    return before > threshold >= after


async def announce_low_stock(
    session: AsyncSession, tier: Tier, *, stock: int, now: datetime
) -> None:
    event = RewardStockLowV1(
        tier_id=tier.id, tier_name=tier.name, stock=stock, threshold=tier.low_stock_threshold
    )
    await add_event(session, OUTBOX, event, occurred_at=now)
