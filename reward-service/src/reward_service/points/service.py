"""The points ledger: the balance is the sum of a shopper's entries. Helpers flush."""

import uuid
from datetime import datetime

from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.points.models import PointsEntry

NEWEST_FIRST = NewestFirst(
    PointsEntry.created_at, PointsEntry.id, lambda entry: (entry.created_at, entry.id)
)


def lock_key(user_id: uuid.UUID) -> int:
    """A signed 64-bit advisory lock key for a shopper's points."""
    return int.from_bytes(user_id.bytes[:8], "big", signed=True)


def credit(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    amount: int,
    reason: str,
    now: datetime,
    claim_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
) -> None:
    session.add(
        PointsEntry(
            user_id=user_id,
            amount=amount,
            reason=reason,
            claim_id=claim_id,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def balance(session: AsyncSession, user_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(PointsEntry.user_id == user_id)
    )
    return int(total or 0)


async def ledger_page(
    session: AsyncSession, user_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[PointsEntry], str | None]:
    statement = select(PointsEntry).where(PointsEntry.user_id == user_id)
    return await keyset_page(session, statement, NEWEST_FIRST, cursor=cursor, limit=limit)
