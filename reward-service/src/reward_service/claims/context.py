"""What a claim decides from, read in one statement: the tier (stock and rule included),
the shopper's check-in days in the campaign window (all of them, the longest run, the
current run) and how many claims of the tier they hold already. A storm is mostly
refusals: each costs this one read on the pool's own connection (`read_early`), without a
session or a transaction."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from checkin_shared.events.eligibility import eligible_sql
from checkin_shared.single_statement import Statement
from checkin_shared.unit_of_work import Reads
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
from reward_service.claims.models import Claim
from reward_service.claims.rules import Days
from reward_service.db import ELIGIBILITY, SCHEMA
from reward_service.projection.service import day_runs_sql
from reward_service.tiers.models import Tier

# Table names are the code's own constants; every value is a bound parameter.
TODAY = "(CAST(:now AS timestamptz) AT TIME ZONE c.timezone)::date"  # the campaign's day
CLAIM_CONTEXT = text(
    f"""
SELECT t.id, t.name, t.kind, t.points, t.stock, t.required_days, t.low_stock_threshold,
       t.active, t.rule, t.daily_limit, c.timezone, c.points_expire_after_days,
       days.total, days.longest_run, days.current_run,
       (SELECT count(*) FROM {SCHEMA}.{Claim.__tablename__} AS h
        WHERE h.user_id = :user_id AND h.tier_id = t.id)::int AS held,
       {eligible_sql(ELIGIBILITY)} AS eligible
FROM {SCHEMA}.{Tier.__tablename__} AS t
JOIN {SCHEMA}.{Campaign.__tablename__} AS c ON c.id = t.campaign_id
CROSS JOIN LATERAL {day_runs_sql("c.starts_on", "c.ends_on", TODAY)} AS days
WHERE t.id = :tier_id AND c.status = 'published'  -- a draft's tiers are not claimable yet
"""  # noqa: S608
)
CLAIM_CONTEXT_ALONE = Statement.of(CLAIM_CONTEXT)


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
    rule: str
    daily_limit: int | None
    timezone: str
    points_expire_after_days: int | None
    total: int
    longest_run: int
    current_run: int
    held: int
    eligible: bool

    @property
    def days(self) -> Days:
        return Days(self.total, self.longest_run, self.current_run)


async def read(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    tier_id: uuid.UUID,
    now: datetime,
) -> ClaimContext | None:
    """None when there is no such tier. `eligible`: the service's copy, else the token.
    Today is the business day of `now` in the campaign's zone."""
    params = _params(user_id, token_eligible, tier_id, now)
    row = (await session.execute(CLAIM_CONTEXT, params)).first()
    return None if row is None else ClaimContext(**row._mapping)


async def read_early(
    reads: Reads,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    tier_id: uuid.UUID,
    now: datetime,
) -> ClaimContext | None:
    """`read`, before the claim's transaction and outside it (READ COMMITTED: the snapshot
    a read inside it would take, a moment earlier)."""
    params = _params(user_id, token_eligible, tier_id, now)
    async with reads.statement() as connection:
        row = await CLAIM_CONTEXT_ALONE.fetchrow(connection, params)
    return None if row is None else ClaimContext(**dict(row))


def _params(
    user_id: uuid.UUID, token_eligible: bool, tier_id: uuid.UUID, now: datetime
) -> dict[str, object]:
    return {"user_id": user_id, "tier_id": tier_id, "token_eligible": token_eligible, "now": now}
