"""Reading the projection: a shopper's check-in days inside the campaign window."""

import uuid
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import SCHEMA
from reward_service.projection.models import AttendanceDay


class Window(Protocol):
    """A campaign's window of days (a row, or the catalog's copy of one)."""

    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...


def in_window(campaign: Window) -> ColumnElement[bool]:
    """Days inside the campaign's window (open-ended when it has no end day)."""
    clause: ColumnElement[bool] = AttendanceDay.day >= campaign.starts_on
    if campaign.ends_on is not None:
        clause = clause & (AttendanceDay.day <= campaign.ends_on)
    return clause


async def attendance_days(session: AsyncSession, campaign: Window, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(AttendanceDay.user_id == user_id, in_window(campaign))
    )
    return int(count or 0)


async def someone_has(session: AsyncSession, campaign: Window, days: int) -> bool:
    """Whether any shopper has at least this many days in the window."""
    statement = (
        select(AttendanceDay.user_id)
        .where(in_window(campaign))
        .group_by(AttendanceDay.user_id)
        .having(func.count() >= days)
        .limit(1)
    )
    return (await session.execute(statement)).first() is not None


async def days_per_shopper(
    session: AsyncSession,
    campaign: Window,
    *,
    start: date | None,
    end: date | None,
    after_user: uuid.UUID | None,
    limit: int,
) -> list[tuple[uuid.UUID, int, date]]:
    """(shopper, days counted, last day) in the window, ordered by shopper id."""
    statement = select(AttendanceDay.user_id, func.count(), func.max(AttendanceDay.day)).where(
        in_window(campaign)
    )
    if start:
        statement = statement.where(AttendanceDay.day >= start)
    if end:
        statement = statement.where(AttendanceDay.day <= end)
    if after_user:
        statement = statement.where(AttendanceDay.user_id > after_user)
    statement = statement.group_by(AttendanceDay.user_id).order_by(AttendanceDay.user_id)
    return [(u, int(n), last) for u, n, last in (await session.execute(statement.limit(limit)))]


def day_runs_sql(starts_on: str, ends_on: str, today: str) -> str:
    """A subquery over the shopper's (`:user_id`) days between two SQL date expressions:
    `total` days, `longest_run` of consecutive days, and `current_run` (the run that ends
    on `today` or the day before; 0 when it broke). Days minus their rank are equal along a
    run of consecutive days, so each run is one group."""
    table = f"{SCHEMA}.{AttendanceDay.__tablename__}"
    return f"""(
  SELECT COALESCE(sum(run), 0)::int AS total,
         COALESCE(max(run), 0)::int AS longest_run,
         COALESCE(max(run) FILTER (WHERE last_day >= ({today}) - 1), 0)::int
           AS current_run
  FROM (SELECT count(*) AS run, max(day) AS last_day
        FROM (SELECT day, day - (row_number() OVER (ORDER BY day))::int AS grp
              FROM {table}
              WHERE user_id = :user_id AND day >= {starts_on}
                AND ({ends_on} IS NULL OR day <= {ends_on})) AS numbered
        GROUP BY grp) AS runs
)"""  # noqa: S608
