"""Keeping the projection of check-in days, from attendance.checked_in.v1."""

from typing import Any

from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.projection.models import AttendanceDay


async def on_checked_in(session: AsyncSession, _: Envelope, data: Any) -> None:
    assert isinstance(data, AttendanceCheckedInV1)
    await session.execute(
        insert(AttendanceDay).values(user_id=data.user_id, day=data.day).on_conflict_do_nothing()
    )


HANDLERS = {AttendanceCheckedInV1.event_type: on_checked_in}
