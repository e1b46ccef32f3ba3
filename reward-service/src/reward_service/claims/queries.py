"""Reading claims: a shopper's own, and which tiers shoppers hold."""

import uuid
from collections import Counter
from datetime import date

from checkin_shared.pagination import NewestFirst, keyset_page
from checkin_shared.single_statement import Statement
from checkin_shared.unit_of_work import Reads
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims.models import Claim, Fulfilment, claim_number
from reward_service.claims.rules import Days
from reward_service.claims.schemas import ClaimRead
from reward_service.claims.shipping import FulfilmentRead
from reward_service.db import PEOPLE, SCHEMA
from reward_service.points.service import balance
from reward_service.projection.service import Window, attendance_days, day_runs_sql
from reward_service.tiers.models import Tier

NEWEST_FIRST = NewestFirst(Claim.claimed_at, Claim.id, lambda row: (row[0].claimed_at, row[0].id))


def claim_read(claim: Claim, tier: Tier, fulfilment: Fulfilment | None = None) -> ClaimRead:
    return ClaimRead(
        claim_id=claim.id,
        claim_number=claim_number(claim.number),
        tier_id=tier.id,
        tier_name=tier.name,
        kind=tier.kind,
        points=tier.points,
        claimed_at=claim.claimed_at,
        fulfilment=None
        if fulfilment is None
        else FulfilmentRead.model_validate(fulfilment, from_attributes=True),
    )


async def claimed_tier_ids(session: AsyncSession, user_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        (await session.execute(select(Claim.tier_id).where(Claim.user_id == user_id))).scalars()
    )


# The hottest read (GET /rewards): one constant statement, prepared once per connection,
# on the pool's own connection (checkin_shared.single_statement).
# Table names are the code's own constants; every value is a bound parameter.
DAYS_AND_CLAIMS = Statement.of(
    text(
        f"""
SELECT days.total, days.longest_run, days.current_run,
       ARRAY(SELECT tier_id FROM {SCHEMA}.{Claim.__tablename__} WHERE user_id = :user_id) AS held
FROM {day_runs_sql(":starts_on", "CAST(:ends_on AS date)", "CAST(:today AS date)")} AS days
"""  # noqa: S608
    )
)


async def days_and_claims(
    reads: Reads, window: Window, user_id: uuid.UUID, today: date
) -> tuple[Days, Counter[uuid.UUID]]:
    """A shopper's check-in days in the window (all, longest run, current run) and how
    many claims of each tier they hold, in one query."""
    params = {
        "user_id": user_id,
        "starts_on": window.starts_on,
        "ends_on": window.ends_on,
        "today": today,
    }
    async with reads.statement() as connection:
        row = await DAYS_AND_CLAIMS.fetchrow(connection, params)
    assert row is not None  # aggregates: always one row
    total, longest, current, held = row
    return Days(int(total), int(longest), int(current)), Counter(held or [])


async def days_and_balance(reads: Reads, window: Window, user_id: uuid.UUID) -> tuple[int, int]:
    """A shopper's check-in days in the window and their points balance."""
    async with reads.session() as session:
        return await attendance_days(session, window, user_id), await balance(session, user_id)


async def my_claims_page(
    session: AsyncSession, user_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[ClaimRead], str | None]:
    statement = (
        select(Claim, Tier, Fulfilment)
        .join(Tier, Tier.id == Claim.tier_id)
        .outerjoin(Fulfilment, Fulfilment.claim_id == Claim.id)
        .where(Claim.user_id == user_id)
    )
    rows, next_cursor = await keyset_page(
        session, statement, NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [claim_read(c, t, f) for c, t, f in rows], next_cursor


async def tiers_held(
    session: AsyncSession, users: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    held: dict[uuid.UUID, list[uuid.UUID]] = {u: [] for u in users}
    rows = await session.execute(
        select(Claim.user_id, Claim.tier_id).where(Claim.user_id.in_(users))
    )
    for user, tier in rows.all():
        held[user].append(tier)
    return held


async def people(
    session: AsyncSession, users: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str | None, str | None]]:
    """Shoppers' email and name from this service's copy ((None, None) until it has them)."""
    found = await session.execute(
        select(PEOPLE.c.user_id, PEOPLE.c.email, PEOPLE.c.name).where(PEOPLE.c.user_id.in_(users))
    )
    known = {user: (email, name) for user, email, name in found.all()}
    return {user: known.get(user, (None, None)) for user in users}
