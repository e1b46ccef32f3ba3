"""Make-up days, the reward side of a saga with the attendance service. Asking: the
points are taken and the day asked for (reward.makeup_requested.v1) in one transaction,
under the shopper's points lock, so concurrent requests cannot overspend or pass the
campaign's limit. Settling: attendance.makeup_applied.v1 marks it applied;
attendance.makeup_refused.v1 marks it refused and gives the points back, once (the
status moves from `pending` once; the inbox drops repeats)."""

import uuid
from datetime import date, datetime
from typing import Any

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import (
    AttendanceMakeupAppliedV1,
    AttendanceMakeupRefusedV1,
    RewardMakeupRequestedV1,
    RewardPointsChangedV1,
)
from checkin_shared.events.eligibility import eligible_sql
from checkin_shared.events.envelope import Envelope
from checkin_shared.events.outbox import add_event
from sqlalchemy import exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns import service as campaigns
from reward_service.campaigns.models import Campaign
from reward_service.db import ELIGIBILITY, OUTBOX
from reward_service.points import service as points
from reward_service.points.expiry import expiry_of
from reward_service.points.models import Makeup, PointsEntry
from reward_service.projection.models import AttendanceDay

ELIGIBLE = text(f"SELECT {eligible_sql(ELIGIBILITY)}")
LIVE = ("pending", "applied")


def day_not_allowed(detail: str) -> ProblemError:
    return ProblemError(422, "day_not_allowed", "Day not allowed", detail)


def makeup_not_found() -> ProblemError:
    return ProblemError(404, "makeup_not_found", "Make-up not found", "No such make-up day")


async def request(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    day: date,
    now: datetime,
) -> Makeup:
    campaign = await campaigns.find(session, now)
    cost, most = _offered(campaign, now)
    assert campaign is not None
    _check_day(campaign, day, now)
    eligible = await session.scalar(
        ELIGIBLE, {"user_id": user_id, "token_eligible": token_eligible}
    )
    if not eligible:
        raise ProblemError(
            403,
            "not_eligible",
            "Not eligible",
            "Make-up days need a paid purchase from the shop (not refunded or cancelled)",
        )
    # Everything below decides from the shopper's points and make-ups: one at a time.
    await session.execute(select(func.pg_advisory_xact_lock(points.lock_key(user_id))))
    taken = await session.scalar(
        select(
            exists().where(AttendanceDay.user_id == user_id, AttendanceDay.day == day)
            | exists().where(Makeup.user_id == user_id, Makeup.day == day, Makeup.status.in_(LIVE))
        )
    )
    if taken:
        raise day_not_allowed(f"{day.isoformat()} is checked in (or being made up) already")
    used = await session.scalar(
        select(func.count()).where(
            Makeup.user_id == user_id,
            Makeup.campaign_id == campaign.id,
            Makeup.status.in_(LIVE),
        )
    )
    if int(used or 0) >= most:
        raise ProblemError(
            409,
            "makeup_limit_reached",
            "Make-up limit reached",
            f"At most {most} make-up day(s) in this campaign",
        )
    if await points.balance(session, user_id) < cost:
        raise ProblemError(
            409,
            "insufficient_points",
            "Insufficient points",
            f"A make-up day costs {cost} points",
            cost_points=cost,
        )
    makeup = Makeup(
        id=uuid.uuid4(),
        user_id=user_id,
        campaign_id=campaign.id,
        day=day,
        cost_points=cost,
        status="pending",
        created_at=now,
    )
    session.add(makeup)
    if cost > 0:
        await _points_moved(session, user_id, -cost, f"make-up day {day.isoformat()}", now, None)
    asked = RewardMakeupRequestedV1(
        makeup_id=makeup.id, user_id=user_id, day=day, campaign_id=campaign.id
    )
    await add_event(session, OUTBOX, asked, occurred_at=now)
    await session.flush()
    return makeup


async def get(session: AsyncSession, user_id: uuid.UUID, makeup_id: uuid.UUID) -> Makeup:
    makeup = await session.get(Makeup, makeup_id)
    if makeup is None or makeup.user_id != user_id:
        raise makeup_not_found()
    return makeup


async def mine(session: AsyncSession, user_id: uuid.UUID) -> list[Makeup]:
    statement = (
        select(Makeup)
        .where(Makeup.user_id == user_id)
        .order_by(Makeup.created_at.desc())
        .limit(100)
    )
    return list((await session.execute(statement)).scalars())


async def on_makeup_applied(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    assert isinstance(data, AttendanceMakeupAppliedV1)
    await session.execute(
        update(Makeup)
        .where(Makeup.id == data.makeup_id, Makeup.status == "pending")
        .values(status="applied", settled_at=envelope.occurred_at)
    )


async def on_makeup_refused(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    """Refused: the points come back, once (only a pending make-up moves)."""
    assert isinstance(data, AttendanceMakeupRefusedV1)
    now = envelope.occurred_at
    settled = await session.execute(
        update(Makeup)
        .where(Makeup.id == data.makeup_id, Makeup.status == "pending")
        .values(status="refused", code=data.code, settled_at=now)
        .returning(Makeup.user_id, Makeup.cost_points, Makeup.campaign_id)
    )
    row = settled.first()
    if row is None or row.cost_points == 0:
        return
    await session.execute(select(func.pg_advisory_xact_lock(points.lock_key(row.user_id))))
    campaign = await session.get(Campaign, row.campaign_id)
    expires_at = (
        expiry_of(now, campaign.timezone, campaign.points_expire_after_days) if campaign else None
    )
    reason = f"make-up day {data.day.isoformat()} refused: points back"
    await _points_moved(session, row.user_id, row.cost_points, reason, now, expires_at)


async def _points_moved(
    session: AsyncSession,
    user_id: uuid.UUID,
    amount: int,
    reason: str,
    now: datetime,
    expires_at: datetime | None,
) -> None:
    entry = PointsEntry(
        id=uuid.uuid4(),
        user_id=user_id,
        amount=amount,
        reason=reason,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(entry)
    changed = RewardPointsChangedV1(
        entry_id=entry.id, user_id=user_id, amount=amount, reason=reason
    )
    await add_event(session, OUTBOX, changed, occurred_at=now)


def _offered(campaign: Campaign | None, now: datetime) -> tuple[int, int]:
    """(cost, most per shopper) of the running campaign's make-up days."""
    if campaign is None or campaigns.status_of(campaign, now) != "running":
        raise day_not_allowed("No campaign is running")
    if campaign.makeup_cost_points is None or campaign.makeup_max_per_campaign is None:
        raise day_not_allowed("This campaign offers no make-up days")
    return campaign.makeup_cost_points, campaign.makeup_max_per_campaign


def _check_day(campaign: Campaign, day: date, now: datetime) -> None:
    today = campaigns.today_in(campaign, now)
    if day >= today:
        raise day_not_allowed("Only a past day can be made up (not today or later)")
    if day < campaign.starts_on or (campaign.ends_on is not None and day > campaign.ends_on):
        raise day_not_allowed("The day is outside the campaign's days")
