"""Streaks from runs of consecutive days (gaps and islands, computed in SQL)."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendance_service.checkins.models import CheckIn


@dataclass(frozen=True)
class Run:
    first: date
    last: date
    length: int


async def runs_of(session: AsyncSession, user_id: uuid.UUID) -> list[Run]:
    """The shopper's runs of consecutive check-in days, oldest first."""
    # day - row_number() is constant within a run of consecutive days.
    ordinal = func.row_number().over(order_by=CheckIn.day).cast(Integer)
    numbered = (
        select(CheckIn.day.label("day"), (CheckIn.day - ordinal).label("island"))
        .where(CheckIn.user_id == user_id)
        .subquery()
    )
    statement = (
        select(func.min(numbered.c.day), func.max(numbered.c.day), func.count())
        .group_by(numbered.c.island)
        .order_by(func.min(numbered.c.day))
    )
    return [Run(first, last, count) for first, last, count in await session.execute(statement)]


def current_streak(runs: list[Run], today: date) -> int:
    """The run that ends today, or yesterday (today can still continue it); else 0."""
    if runs and runs[-1].last >= today - timedelta(days=1):
        return runs[-1].length
    return 0


def longest_streak(runs: list[Run]) -> int:
    return max((run.length for run in runs), default=0)
