"""Checking in and reading one's own attendance. Helpers flush; callers commit."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg
from checkin_shared.errors import ProblemError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendance_service.checkins.campaign_rules import RulesInForce
from attendance_service.checkins.models import CheckIn
from attendance_service.checkins.schemas import AttendanceSummary, CalendarDay, CheckInRead
from attendance_service.checkins.statement import insert_check_in
from attendance_service.checkins.streaks import current_streak, longest_streak, runs_of
from attendance_service.days import business_day


def already_checked_in(day: date) -> ProblemError:
    return ProblemError(
        409,
        "already_checked_in",
        "Already checked in",
        f"You already checked in on {day.isoformat()}",
        day=day.isoformat(),
    )


def not_eligible() -> ProblemError:
    return ProblemError(
        403,
        "not_eligible",
        "Not eligible",
        "Checking in needs a paid purchase from the shop (not refunded or cancelled). A "
        "purchase counts within moments of reaching us; no new sign-in is needed.",
    )


RULE_DETAIL = {
    "purchased_within_days": "This event needs a recent paid purchase from the shop",
    "min_total_amount": "This event needs a larger total of paid purchases from the shop",
}


def campaign_rule_unmet(rule: str) -> ProblemError:
    return ProblemError(
        403,
        "not_eligible",
        "Not eligible",
        f"{RULE_DETAIL.get(rule, 'This event has purchase rules you do not meet')}. A "
        "purchase counts within moments of reaching us; no new sign-in is needed.",
        rule=rule,
    )


async def check_in(
    connection: asyncpg.Connection,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    now: datetime,
    zone: ZoneInfo,
    rules: RulesInForce,
) -> CheckInRead:
    """One insert under the (user_id, day) unique key: concurrent requests cannot both win.
    Eligibility, the row, the streak and the event are one statement (`statement.py`)."""
    day = business_day(now, zone)
    outcome = await insert_check_in(
        connection,
        user_id=user_id,
        token_eligible=token_eligible,
        day=day,
        now=now,
        under_rules=await rules.around(connection, day),
    )
    if not outcome.eligible:
        raise not_eligible()
    if outcome.unmet_rule is not None:
        raise campaign_rule_unmet(outcome.unmet_rule)
    if not outcome.inserted:
        raise already_checked_in(day)
    total = sum(run.length for run in outcome.runs)  # every day is in exactly one run
    return CheckInRead(
        day=day,
        checked_at=now,
        total_days=total,
        current_streak=current_streak(outcome.runs, day),
    )


async def summary(session: AsyncSession, *, user_id: uuid.UUID, today: date) -> AttendanceSummary:
    last = (
        await session.execute(
            select(CheckIn.day, CheckIn.checked_at)
            .where(CheckIn.user_id == user_id)
            .order_by(CheckIn.day.desc())
            .limit(1)
        )
    ).first()
    runs = await runs_of(session, user_id)
    made_up = await session.scalar(
        select(func.count()).where(CheckIn.user_id == user_id, CheckIn.makeup)
    )
    return AttendanceSummary(
        today=today,
        checked_in_today=last is not None and last.day == today,
        total_days=sum(run.length for run in runs),
        current_streak=current_streak(runs, today),
        longest_streak=longest_streak(runs),
        last_check_in=last.day if last else None,
        last_checked_at=last.checked_at if last else None,
        makeup_days=int(made_up or 0),
    )


async def calendar(
    session: AsyncSession, *, user_id: uuid.UUID, start: date, end: date
) -> list[CalendarDay]:
    rows = await session.execute(
        select(CheckIn.day, CheckIn.makeup).where(
            CheckIn.user_id == user_id, CheckIn.day.between(start, end)
        )
    )
    days: dict[date, bool] = {day: made_up for day, made_up in rows.all()}
    span = (end - start).days + 1
    return [
        CalendarDay(day=d, checked_in=d in days, makeup=days.get(d, False))
        for d in (date.fromordinal(start.toordinal() + i) for i in range(span))
    ]
