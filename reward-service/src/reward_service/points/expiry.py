"""Points that expire. A credit made while the campaign sets `points_expire_after_days`
expires at midnight, in the campaign's zone, that many days after the day it was made.
Spending (every debit: take-backs, cancellations, earlier expiries) uses the credits that
expire first; what is left of a credit at its end is debited as "points expired".

About 7 days before a credit ends, what is left of it is announced once
(reward.points_expiring.v1: the shopper's warning mail).

The job runs on every replica (every `REWARD_POINTS_EXPIRY_CHECK_SECONDS`); each shopper
is settled under their points lock, and a credit once settled is never counted again, so
two replicas never debit the same points twice."""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from checkin_shared.clock import Clock
from checkin_shared.events.contracts import RewardPointsChangedV1, RewardPointsExpiringV1
from checkin_shared.events.outbox import add_event
from checkin_shared.periodic import Periodic
from checkin_shared.unit_of_work import unit_of_work
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reward_service.db import OUTBOX
from reward_service.points.models import PointsEntry
from reward_service.points.service import lock_key

log = logging.getLogger(__name__)
EXPIRED = "points expired"
USERS_PER_TICK = 500
WARN_BEFORE = timedelta(days=7)


def expiry_of(now: datetime, timezone: str, after_days: int | None) -> datetime | None:
    """When a credit made at `now` expires: the zone's midnight `after_days` days later."""
    if after_days is None:
        return None
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date() + timedelta(days=after_days)
    return datetime.combine(day, time(0), tzinfo=zone)


@dataclass(frozen=True)
class Credit:
    id: uuid.UUID
    amount: int
    expires_at: datetime | None


def unspent(credits: Sequence[Credit], spent: int) -> dict[uuid.UUID, int]:
    """What is left of each credit once `spent` points are taken from the credits that
    expire first (those that never expire last; the given order breaks ties)."""
    order = sorted(
        enumerate(credits),
        key=lambda item: (item[1].expires_at is None, item[1].expires_at or 0, item[0]),
    )
    left: dict[uuid.UUID, int] = {}
    for _, credit in order:
        used = min(credit.amount, spent)
        spent -= used
        left[credit.id] = credit.amount - used
    return left


async def ledger(session: AsyncSession, user_id: uuid.UUID) -> tuple[list[Credit], int]:
    """A shopper's credits (oldest first) and the points they spent in all."""
    rows = (
        await session.execute(
            select(PointsEntry.id, PointsEntry.amount, PointsEntry.expires_at)
            .where(PointsEntry.user_id == user_id)
            .order_by(PointsEntry.created_at, PointsEntry.id)
        )
    ).all()
    credits = [Credit(i, a, e) for i, a, e in rows if a > 0]
    return credits, -sum(a for _, a, _ in rows if a < 0)


async def upcoming(
    session: AsyncSession, user_id: uuid.UUID, *, now: datetime
) -> list[tuple[datetime, int]]:
    """(when, how many points) still to expire, soonest first."""
    credits, spent = await ledger(session, user_id)
    left = unspent(credits, spent)
    ahead: dict[datetime, int] = {}
    for credit in credits:
        if credit.expires_at is not None and credit.expires_at > now and left[credit.id] > 0:
            ahead[credit.expires_at] = ahead.get(credit.expires_at, 0) + left[credit.id]
    return sorted(ahead.items())


async def settle(session: AsyncSession, user_id: uuid.UUID, *, now: datetime) -> int:
    """Debit what is left of the shopper's credits that ended by `now`; the points
    debited (0 when nothing was left or another replica settled them first)."""
    await session.execute(select(func.pg_advisory_xact_lock(lock_key(user_id))))
    due_ids = list(
        (
            await session.execute(
                select(PointsEntry.id).where(
                    PointsEntry.user_id == user_id,
                    PointsEntry.expires_at <= now,
                    PointsEntry.expiry_settled.is_(False),
                )
            )
        ).scalars()
    )
    if not due_ids:
        return 0
    credits, spent = await ledger(session, user_id)
    left = unspent(credits, spent)
    expired = sum(left[i] for i in due_ids if i in left)
    await session.execute(
        update(PointsEntry).where(PointsEntry.id.in_(due_ids)).values(expiry_settled=True)
    )
    if expired > 0:
        entry = PointsEntry(
            id=uuid.uuid4(), user_id=user_id, amount=-expired, reason=EXPIRED, created_at=now
        )
        session.add(entry)
        changed = RewardPointsChangedV1(
            entry_id=entry.id, user_id=user_id, amount=-expired, reason=EXPIRED
        )
        await add_event(session, OUTBOX, changed, occurred_at=now)
        await session.flush()
    return expired


async def warn(session: AsyncSession, user_id: uuid.UUID, *, now: datetime) -> int:
    """Announce what is left of the shopper's credits ending within WARN_BEFORE (one event
    per end moment), once per credit; the points announced."""
    await session.execute(select(func.pg_advisory_xact_lock(lock_key(user_id))))
    soon = list(
        (
            await session.execute(
                select(PointsEntry.id).where(
                    PointsEntry.user_id == user_id,
                    PointsEntry.expires_at > now,
                    PointsEntry.expires_at <= now + WARN_BEFORE,
                    PointsEntry.expiry_warned.is_(False),
                )
            )
        ).scalars()
    )
    if not soon:
        return 0
    credits, spent = await ledger(session, user_id)
    left = unspent(credits, spent)
    ends: dict[datetime, int] = {}
    for credit in credits:
        if credit.id in soon and left[credit.id] > 0 and credit.expires_at is not None:
            ends[credit.expires_at] = ends.get(credit.expires_at, 0) + left[credit.id]
    await session.execute(
        update(PointsEntry).where(PointsEntry.id.in_(soon)).values(expiry_warned=True)
    )
    for expires_at, amount in sorted(ends.items()):
        told = RewardPointsExpiringV1(user_id=user_id, amount=amount, expires_at=expires_at)
        await add_event(session, OUTBOX, told, occurred_at=now)
    return sum(ends.values())


async def users_to_warn(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    statement = (
        select(PointsEntry.user_id)
        .where(
            PointsEntry.expires_at > now,
            PointsEntry.expires_at <= now + WARN_BEFORE,
            PointsEntry.expiry_warned.is_(False),
        )
        .group_by(PointsEntry.user_id)
        .limit(USERS_PER_TICK)
    )
    return list((await session.execute(statement)).scalars())


async def due_users(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    statement = (
        select(PointsEntry.user_id)
        .where(PointsEntry.expires_at <= now, PointsEntry.expiry_settled.is_(False))
        .group_by(PointsEntry.user_id)
        .limit(USERS_PER_TICK)
    )
    return list((await session.execute(statement)).scalars())


class PointsExpirer:
    def __init__(
        self, factory: async_sessionmaker[AsyncSession], clock: Clock, *, every_seconds: float
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.job = Periodic("points-expiry", every_seconds, self.run_once)

    async def run_once(self) -> int:
        """Settle every shopper with points due, then warn those whose points end within a
        week (each shopper in a transaction of their own); returns the points debited."""
        now = self.clock.now()
        async with self.factory() as session:
            users = await due_users(session, now=now)
            to_warn = await users_to_warn(session, now=now)
        debited = warned = 0
        for user in users:
            async with unit_of_work(self.factory) as session:
                debited += await settle(session, user, now=now)
        for user in to_warn:
            async with unit_of_work(self.factory) as session:
                warned += await warn(session, user, now=now)
        if debited or warned:
            log.info("points expiry", extra={"expired": debited, "warned": warned})
        return debited
