"""Reading the projection: a shopper's check-in days inside the campaign window."""

import uuid

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
from reward_service.projection.models import AttendanceDay


def in_window(campaign: Campaign) -> ColumnElement[bool]:
    """Days inside the campaign's window (open-ended when it has no end day)."""
    clause: ColumnElement[bool] = AttendanceDay.day >= campaign.starts_on
    if campaign.ends_on is not None:
        clause = clause & (AttendanceDay.day <= campaign.ends_on)
    return clause


async def attendance_days(session: AsyncSession, campaign: Campaign, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(AttendanceDay.user_id == user_id, in_window(campaign))
    )
    return int(count or 0)
