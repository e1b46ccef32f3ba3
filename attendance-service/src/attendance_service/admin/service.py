"""Admin views of attendance."""

import uuid
from datetime import date, datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from attendance_service.admin.schemas import DayCount
from attendance_service.checkins.models import CheckIn


async def list_check_ins(
    session: AsyncSession,
    *,
    day: date | None,
    user_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[CheckIn]:
    """Newest first."""
    statement = select(CheckIn).order_by(CheckIn.checked_at.desc(), CheckIn.id.desc())
    if day is not None:
        statement = statement.where(CheckIn.day == day)
    if user_id is not None:
        statement = statement.where(CheckIn.user_id == user_id)
    if after is not None:
        statement = statement.where(tuple_(CheckIn.checked_at, CheckIn.id) < tuple_(*after))
    return list((await session.execute(statement.limit(limit))).scalars())


async def daily_counts(session: AsyncSession, *, start: date, end: date) -> list[DayCount]:
    """Every day of the range, zero included."""
    counts = dict(
        (
            await session.execute(
                select(CheckIn.day, func.count())
                .where(CheckIn.day.between(start, end))
                .group_by(CheckIn.day)
            )
        ).all()
    )
    span = (end - start).days + 1
    every_day = (date.fromordinal(start.toordinal() + i) for i in range(span))
    return [DayCount(day=d, check_ins=int(counts.get(d, 0))) for d in every_day]
