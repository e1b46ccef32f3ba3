"""Keeping the projection of check-in days, from attendance.checked_in.v1."""

from typing import Any

from checkin_shared.events.consumer import Batched, Handler
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.eligibility import ELIGIBILITY_EVENT, eligibility_handler
from checkin_shared.events.envelope import Envelope
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import ELIGIBILITY
from reward_service.projection.models import AttendanceDay

# Built once: SQLAlchemy reuses its compiled form; a run of events is one executemany.
RECORD_DAY = insert(AttendanceDay).on_conflict_do_nothing()


async def on_checked_in(session: AsyncSession, events: list[tuple[Envelope, Any]]) -> None:
    days = []
    for _, data in events:
        assert isinstance(data, AttendanceCheckedInV1)
        days.append({"user_id": data.user_id, "day": data.day})
    await session.execute(RECORD_DAY, days)


HANDLERS: dict[str, Handler | Batched] = {
    AttendanceCheckedInV1.event_type: Batched(on_checked_in),
    ELIGIBILITY_EVENT: eligibility_handler(ELIGIBILITY),
}
