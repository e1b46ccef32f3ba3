"""What a claim decides from, read in one statement: the tier (stock included), the
shopper's check-in days in the campaign window, and whether they hold the tier already.
A storm is mostly refusals, and each of them now costs one round trip, not four."""

import uuid
from dataclasses import dataclass

from checkin_shared.events.eligibility import eligible_sql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
from reward_service.claims.models import Claim
from reward_service.db import ELIGIBILITY, SCHEMA
from reward_service.projection.models import AttendanceDay
from reward_service.tiers.models import Tier

# Table names are the code's own constants; every value is a bound parameter.
CLAIM_CONTEXT = text(
    f"""
SELECT t.id, t.name, t.kind, t.points, t.stock, t.required_days, t.low_stock_threshold,
       t.active,
       (SELECT count(*) FROM {SCHEMA}.{AttendanceDay.__tablename__} AS d
        WHERE d.user_id = :user_id AND d.day >= c.starts_on
          AND (c.ends_on IS NULL OR d.day <= c.ends_on))::int AS have,
       EXISTS (SELECT FROM {SCHEMA}.{Claim.__tablename__} AS h
               WHERE h.user_id = :user_id AND h.tier_id = t.id) AS claimed,
       {eligible_sql(ELIGIBILITY)} AS eligible
FROM {SCHEMA}.{Tier.__tablename__} AS t
JOIN {SCHEMA}.{Campaign.__tablename__} AS c ON c.id = t.campaign_id
WHERE t.id = :tier_id
"""  # noqa: S608
)


@dataclass(frozen=True)
class ClaimContext:
    id: uuid.UUID
    name: str
    kind: str
    points: int | None
    stock: int
    required_days: int
    low_stock_threshold: int
    active: bool
    have: int
    claimed: bool
    eligible: bool


async def read(
    session: AsyncSession, *, user_id: uuid.UUID, token_eligible: bool, tier_id: uuid.UUID
) -> ClaimContext | None:
    """None when there is no such tier. `eligible`: the service's copy, else the token."""
    params = {"user_id": user_id, "tier_id": tier_id, "token_eligible": token_eligible}
    row = (await session.execute(CLAIM_CONTEXT, params)).first()
    return None if row is None else ClaimContext(**row._mapping)
