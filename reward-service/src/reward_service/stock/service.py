"""Admin stock changes: one conditional UPDATE, an audit row, and the events."""

import uuid
from datetime import datetime

from checkin_shared import audit
from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import RewardStockAdjustedV1
from checkin_shared.events.outbox import add_event
from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import AUDIT, OUTBOX, PEOPLE
from reward_service.stock.events import announce_low_stock, crossed_threshold
from reward_service.stock.models import StockAdjustment
from reward_service.tiers import service as tiers
from reward_service.tiers.models import Tier


async def adjust(
    session: AsyncSession,
    *,
    tier_id: uuid.UUID,
    delta: int,
    reason: str,
    admin_id: uuid.UUID,
    now: datetime,
) -> int:
    """Add `delta` to the stock unless it would go below zero (409 `stock_negative`)."""
    tier = await tiers.get(session, tier_id)
    row = (
        await session.execute(
            update(Tier)
            .where(Tier.id == tier_id, Tier.stock + delta >= 0)
            .values(stock=Tier.stock + delta)
            .returning(Tier.stock)
        )
    ).first()
    if row is None:
        raise ProblemError(
            409,
            "stock_negative",
            "Stock would be negative",
            f"The stock of {tier.name!r} cannot go below zero",
            stock=tier.stock,
        )
    stock = int(row.stock)
    session.add(
        StockAdjustment(
            tier_id=tier_id,
            admin_id=admin_id,
            delta=delta,
            reason=reason,
            stock_after=stock,
            created_at=now,
        )
    )
    adjusted = RewardStockAdjustedV1(
        tier_id=tier_id, delta=delta, stock=stock, admin_id=admin_id, reason=reason
    )
    await add_event(session, OUTBOX, adjusted, occurred_at=now)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin_id,
        action="stock.adjusted",
        target=f"tier:{tier_id}",
        before={"stock": stock - delta},
        after={"stock": stock, "delta": delta, "reason": reason},
        at=now,
    )
    await session.refresh(tier)
    if crossed_threshold(stock - delta, stock, tier.low_stock_threshold):
        await announce_low_stock(session, tier, stock=stock, now=now)
    return stock


async def low_tiers(session: AsyncSession) -> list[Tier]:
    statement = select(Tier).where(Tier.stock <= Tier.low_stock_threshold)
    return list((await session.execute(statement)).scalars())


LEDGER_NEWEST_FIRST = NewestFirst(
    StockAdjustment.created_at, StockAdjustment.id, lambda row: (row[0].created_at, row[0].id)
)


async def ledger_page(
    session: AsyncSession, tier_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[tuple[StockAdjustment, str | None]], str | None]:
    """A tier's stock ledger, newest first, each entry with its admin's email (404 when
    there is no such tier)."""
    await tiers.get(session, tier_id)
    statement = (
        select(StockAdjustment, PEOPLE.c.email)
        .outerjoin(PEOPLE, PEOPLE.c.user_id == StockAdjustment.admin_id)
        .where(StockAdjustment.tier_id == tier_id)
    )
    rows, next_cursor = await keyset_page(
        session, statement, LEDGER_NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [(entry, email) for entry, email in rows], next_cursor
