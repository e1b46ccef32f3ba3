"""Stock events: a low-stock alert exactly when a change crosses the threshold."""

import uuid
from datetime import datetime
from typing import Protocol

from checkin_shared.events.contracts import RewardStockLowV1
from checkin_shared.events.outbox import add_event
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import OUTBOX


def crossed_threshold(before: int, after: int, threshold: int) -> bool:
    """True when this change took the stock from above the threshold to at or under it."""
    return before > threshold >= after


class LowStockTier(Protocol):
    """What an alert names of a tier (a row, or a claim's context of one)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def low_stock_threshold(self) -> int: ...


async def announce_low_stock(
    session: AsyncSession, tier: LowStockTier, *, stock: int, now: datetime
) -> None:
    event = RewardStockLowV1(
        tier_id=tier.id, tier_name=tier.name, stock=stock, threshold=tier.low_stock_threshold
    )
    await add_event(session, OUTBOX, event, occurred_at=now)
