"""Points an admin grants or takes back, to many shoppers at once: never below zero (the
shoppers are locked one by one, in order, for the transaction: two take-backs at once
cannot both pass the check), each entry announced. Helpers flush; the unit of work commits."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import RewardPointsChangedV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns import service as campaigns
from reward_service.db import OUTBOX
from reward_service.points.expiry import expiry_of
from reward_service.points.models import PointsEntry
from reward_service.points.service import lock_key


async def grant(
    session: AsyncSession, *, user_ids: list[uuid.UUID], amount: int, reason: str, now: datetime
) -> int:
    users = sorted(set(user_ids))
    for user in users:
        await session.execute(select(func.pg_advisory_xact_lock(lock_key(user))))
    if amount < 0:
        rows = await session.execute(
            select(PointsEntry.user_id, func.sum(PointsEntry.amount))
            .where(PointsEntry.user_id.in_(users))
            .group_by(PointsEntry.user_id)
        )
        balances = {user: int(total) for user, total in rows.all()}
        short = [u for u in users if balances.get(u, 0) + amount < 0]
        if short:
            raise ProblemError(
                409,
                "insufficient_points",
                "Insufficient points",
                f"{len(short)} shopper(s) have fewer than {-amount} points; nothing was taken",
                user_ids=[str(u) for u in short],
            )
    expires_at = None
    if amount > 0:  # a grant expires like any credit
        campaign = await campaigns.find(session, now)
        if campaign is not None:
            expires_at = expiry_of(now, campaign.timezone, campaign.points_expire_after_days)
    for user in users:
        entry = PointsEntry(
            id=uuid.uuid4(),
            user_id=user,
            amount=amount,
            reason=reason,
            created_at=now,
            expires_at=expires_at,
        )
        session.add(entry)
        changed = RewardPointsChangedV1(
            entry_id=entry.id, user_id=user, amount=amount, reason=reason
        )
        await add_event(session, OUTBOX, changed, occurred_at=now)
    await session.flush()
    return len(users)
