"""Admin views of attendance."""

import uuid
from datetime import date

from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendance_service.admin.schemas import DayCount
from attendance_service.checkins.models import CheckIn
from attendance_service.db import PEOPLE

NEWEST_FIRST = NewestFirst(CheckIn.checked_at, CheckIn.id, lambda r: (r[0].checked_at, r[0].id))


async def list_check_ins(
    session: AsyncSession,
    *,
    day: date | None,
    user_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[tuple[CheckIn, str | None, str | None]], str | None]:
    """Newest first, each with the shopper's email and name, and the next page's cursor."""
    statement = select(CheckIn, PEOPLE.c.email, PEOPLE.c.name).outerjoin(
        PEOPLE, PEOPLE.c.user_id == CheckIn.user_id
    )
    if day is not None:
        statement = statement.where(CheckIn.day == day)
    if user_id is not None:
        statement = statement.where(CheckIn.user_id == user_id)
    return await keyset_page(session, statement, NEWEST_FIRST, cursor=cursor, limit=limit)


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
