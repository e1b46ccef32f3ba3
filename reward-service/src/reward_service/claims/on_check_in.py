"""A check-in day as the reward service learns it (attendance.checked_in.v1, a run of them
per transaction): the day in the projection, and what a new day brings besides: the
daily points of the campaign whose window holds it (once per shopper and day: the
ledger's unique key, whatever is delivered twice; none for a make-up day, paid with
points), and the points tiers granted by themselves (`grant: auto`) that the new day
reaches. Each automatic claim is the same claim a
shopper would make, in a savepoint of its own: a refusal (out of stock, the day's limit)
undoes that claim only, never the day or the rest of the run."""

import uuid
from datetime import date, datetime
from typing import Any

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
from reward_service.claims import service as claims
from reward_service.db import SCHEMA
from reward_service.points.expiry import expiry_of
from reward_service.points.models import PointsEntry
from reward_service.projection.models import AttendanceDay
from reward_service.tiers.models import Tier

# Built once: SQLAlchemy reuses their compiled forms; a run of events is one executemany.
RECORD_DAYS = (
    insert(AttendanceDay)
    .on_conflict_do_nothing()
    .returning(AttendanceDay.user_id, AttendanceDay.day)
)
DAILY_POINTS = insert(PointsEntry).on_conflict_do_nothing(
    index_elements=[PointsEntry.user_id, PointsEntry.day],
    index_where=PointsEntry.day.is_not(None),
)
# The rules of the published campaigns whose windows may hold the new days, in one round
# trip (their windows never overlap, so a day belongs to one campaign at most).
RULES_FOR_NEW_DAYS = text(
    f"""
SELECT c.starts_on, c.ends_on, c.daily_points, c.timezone, c.points_expire_after_days,
       ARRAY(SELECT t.id FROM {SCHEMA}.{Tier.__tablename__} AS t
             WHERE t.campaign_id = c.id AND t.active AND t."grant" = 'auto'
             ORDER BY t.required_days) AS auto_tiers
FROM {SCHEMA}.{Campaign.__tablename__} AS c
WHERE c.status = 'published' AND c.starts_on <= :latest
  AND (c.ends_on IS NULL OR c.ends_on >= :earliest)
"""  # noqa: S608
)
MOST_AUTO_CLAIMS_PER_DAY = 31  # a repeating tier of 1 day, a month of days arriving at once


async def on_checked_in(session: AsyncSession, events: list[tuple[Envelope, Any]]) -> None:
    days = []
    checked_at: dict[tuple[uuid.UUID, date], datetime] = {}
    made_up: set[tuple[uuid.UUID, date]] = set()  # paid with points: no daily points
    for _, data in events:
        assert isinstance(data, AttendanceCheckedInV1)
        days.append({"user_id": data.user_id, "day": data.day})
        checked_at[(data.user_id, data.day)] = data.checked_at
        if data.makeup:
            made_up.add((data.user_id, data.day))
    new_days = [(user, day) for user, day in (await session.execute(RECORD_DAYS, days)).all()]
    if not new_days:
        return
    span = {"earliest": min(d for _, d in new_days), "latest": max(d for _, d in new_days)}
    for rules in (await session.execute(RULES_FOR_NEW_DAYS, span)).all():
        starts_on, ends_on, daily_points, zone, expire_after, auto_tiers = rules
        counted = [
            (user, day)
            for user, day in new_days
            if day >= starts_on and (ends_on is None or day <= ends_on)
        ]
        paid = [(user, day) for user, day in counted if (user, day) not in made_up]
        if daily_points > 0 and paid:
            await session.execute(
                DAILY_POINTS,
                [
                    {
                        "id": uuid.uuid4(),
                        "user_id": user,
                        "amount": daily_points,
                        "reason": "daily check-in",
                        "day": day,
                        "created_at": checked_at[(user, day)],
                        "expires_at": expiry_of(checked_at[(user, day)], zone, expire_after),
                    }
                    for user, day in paid
                ],
            )
        for user, day in counted:
            for tier_id in auto_tiers or []:
                await grant_what_is_reached(session, user, tier_id, now=checked_at[(user, day)])


async def grant_what_is_reached(
    session: AsyncSession, user_id: uuid.UUID, tier_id: uuid.UUID, *, now: datetime
) -> None:
    """Claim the tier for the shopper as often as their days have earned it (once, but for
    a repeating tier); stop at the first refusal (nothing more earned, out of stock...)."""
    for _ in range(MOST_AUTO_CLAIMS_PER_DAY):
        try:
            async with session.begin_nested():
                # The check-in was accepted by attendance, which checked eligibility.
                await claims.claim(
                    session, user_id=user_id, token_eligible=True, tier_id=tier_id, now=now
                )
        except ProblemError:
            return
