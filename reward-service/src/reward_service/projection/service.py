"""Reading the projection: a shopper's check-in days inside the campaign window."""

import uuid
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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
