"""Campaigns' eligibility rules, as the attendance service applies them at check-in: its
copy of each campaign (reward.campaign_changed.v1), and the SQL that says whether a
shopper meets the rules of the published campaign holding the day (none: they do)."""

import time
from datetime import date
from typing import Any

import asyncpg
from checkin_shared.events.contracts import RewardCampaignChangedV1
from checkin_shared.events.envelope import Envelope
from checkin_shared.single_statement import Statement
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendance_service.checkins.models import CampaignRules
from attendance_service.db import ELIGIBILITY, SCHEMA

RULES = f"{SCHEMA}.{CampaignRules.__tablename__}"
RULES_IN_FORCE = Statement.of(
    text(
        f"""
SELECT EXISTS (
    SELECT FROM {RULES}
    WHERE published AND (purchased_within_days IS NOT NULL OR min_total_amount IS NOT NULL)
      AND starts_on <= CAST(:day AS date) + 1
      AND (ends_on IS NULL OR ends_on >= CAST(:day AS date) - 1)
)"""  # noqa: S608
    )
)


class RulesInForce:
    """Whether a published campaign with eligibility rules holds days around today, read at
    most once per `ttl_seconds` per process: nearly always none is, and the check-in then
    takes its statement without the rules (cheaper). A rule published or lifted applies
    within that time (and the event's way here)."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._known: tuple[date, bool] | None = None
        self._read_at = 0.0

    async def around(self, connection: asyncpg.Connection, day: date) -> bool:
        fresh = time.monotonic() - self._read_at < self.ttl
        if fresh and self._known is not None and self._known[0] == day:
            return self._known[1]
        found = bool(await RULES_IN_FORCE.fetchval(connection, {"day": day}))
        self._known, self._read_at = (day, found), time.monotonic()
        return found


async def on_campaign_changed(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    """Keep the newest version of each campaign: a late copy never undoes a newer one."""
    assert isinstance(data, RewardCampaignChangedV1)
    statement = insert(CampaignRules).values(
        campaign_id=data.campaign_id,
        published=data.published,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        timezone=data.timezone,
        purchased_within_days=data.purchased_within_days,
        min_total_amount=data.min_total_amount,
        changed_at=data.changed_at,
    )
    columns = ("published", "starts_on", "ends_on", "timezone", "purchased_within_days")
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CampaignRules.campaign_id],
            set_={
                **{c: statement.excluded[c] for c in columns},
                "min_total_amount": statement.excluded.min_total_amount,
                "changed_at": statement.excluded.changed_at,
            },
            where=CampaignRules.changed_at <= statement.excluded.changed_at,
        )
    )


def unmet_rule_sql() -> str:
    """A SQL text expression (bound `:user_id`, `:day`, `:checked_at`): the rule of the
    published campaign holding `:day` that the shopper does not meet
    (`purchased_within_days` or `min_total_amount`), else NULL. A shopper the copy has
    no purchase facts for does not meet a rule (nothing says they do)."""
    facts = (
        f"(SELECT last_paid_at, paid_total FROM {ELIGIBILITY.fullname} WHERE user_id = :user_id)"  # noqa: S608
    )
    return f"""(
    SELECT CASE
        WHEN r.purchased_within_days IS NOT NULL
             AND COALESCE((SELECT last_paid_at FROM {facts} AS f), '-infinity')
                 < CAST(:checked_at AS timestamptz) - make_interval(days => r.purchased_within_days)
        THEN 'purchased_within_days'
        WHEN r.min_total_amount IS NOT NULL
             AND COALESCE((SELECT paid_total FROM {facts} AS f), 0) < r.min_total_amount
        THEN 'min_total_amount'
    END
    FROM {RULES} AS r
    WHERE r.published AND r.starts_on <= :day AND (r.ends_on IS NULL OR r.ends_on >= :day)
      AND (r.purchased_within_days IS NOT NULL OR r.min_total_amount IS NOT NULL)
    LIMIT 1
)"""  # noqa: S608
