"""Keeping the projection of check-in days (attendance.checked_in.v1), and the copies of
who may claim and who shoppers are (user events)."""

from typing import Any

from checkin_shared.events.consumer import Batched, Handler
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.eligibility import ELIGIBILITY_EVENT, eligibility_handler
from checkin_shared.events.envelope import Envelope
from checkin_shared.events.people import people_handlers
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import ELIGIBILITY, PEOPLE
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
    **people_handlers(PEOPLE),
}
