"""The attendance side of a make-up day (a saga with the reward service, which took the
points already): add the day under the same (user_id, day) key as any check-in, and say
so, or say why not; the reward service gives the points back on a refusal. One message,
one transaction (the inbox makes a repeated request a no-op)."""

from datetime import datetime
from typing import Any

from checkin_shared.clock import Clock
from checkin_shared.events.consumer import Handler
from checkin_shared.events.contracts import (
    AttendanceCheckedInV1,
    AttendanceMakeupAppliedV1,
    AttendanceMakeupRefusedV1,
    RewardMakeupRequestedV1,
)
from checkin_shared.events.eligibility import eligible_sql
from checkin_shared.events.envelope import Envelope
from checkin_shared.events.outbox import add_event
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from attendance_service.checkins.models import CheckIn
from attendance_service.db import ELIGIBILITY, OUTBOX, SCHEMA

CHECK_INS = f"{SCHEMA}.{CheckIn.__tablename__}"
# The reward service checked eligibility when it took the points; this copy has the last
# word (a refund since). Table names are the code's own; values are bound.
ADD_MAKEUP_DAY = text(
    f"""
WITH allowed AS (
    SELECT {eligible_sql(ELIGIBILITY)} AS eligible
),
inserted AS (
    INSERT INTO {CHECK_INS} (id, user_id, day, checked_at, makeup)
    SELECT :id, :user_id, :day, :checked_at, true WHERE (SELECT eligible FROM allowed)
    ON CONFLICT (user_id, day) DO NOTHING
    RETURNING day
)
SELECT (SELECT eligible FROM allowed) AS eligible,
       (SELECT count(*) FROM inserted)::int AS inserted,
       (SELECT count(*) FROM {CHECK_INS} WHERE user_id = :user_id)::int AS days_before
"""  # noqa: S608
)


def makeup_handler(clock: Clock) -> Handler:
    """The handler, answering at the clock's time (when the day was added or refused)."""

    async def on_makeup_requested(session: AsyncSession, envelope: Envelope, data: Any) -> None:
        await answer(session, data, now=clock.now())

    return on_makeup_requested


async def answer(session: AsyncSession, data: Any, *, now: datetime) -> None:
    assert isinstance(data, RewardMakeupRequestedV1)
    params = {
        "id": data.makeup_id,  # the make-up's id: the row says which request made it
        "user_id": data.user_id,
        "day": data.day,
        "checked_at": now,
        "token_eligible": True,
    }
    eligible, inserted, days_before = (await session.execute(ADD_MAKEUP_DAY, params)).one()
    if inserted:
        day = AttendanceCheckedInV1(
            user_id=data.user_id,
            day=data.day,
            checked_at=now,
            total_days=days_before + 1,  # the snapshot does not see its own insert
            makeup=True,
        )
        await add_event(session, OUTBOX, day, occurred_at=now)
        applied = AttendanceMakeupAppliedV1(
            makeup_id=data.makeup_id, user_id=data.user_id, day=data.day
        )
        await add_event(session, OUTBOX, applied, occurred_at=now)
        return
    refused = AttendanceMakeupRefusedV1(
        makeup_id=data.makeup_id,
        user_id=data.user_id,
        day=data.day,
        code="already_checked_in" if eligible else "not_eligible",
    )
    await add_event(session, OUTBOX, refused, occurred_at=now)
