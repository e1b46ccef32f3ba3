"""The single active campaign and its window of days."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from checkin_shared.errors import ProblemError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
from reward_service.campaigns.schemas import CampaignWrite


def no_campaign() -> ProblemError:
    return ProblemError(404, "no_campaign", "No campaign", "No campaign has been set up yet")


async def current(session: AsyncSession) -> Campaign:
    campaign = (await session.execute(select(Campaign))).scalar_one_or_none()
    if campaign is None:
        raise no_campaign()
    return campaign


async def find(session: AsyncSession) -> Campaign | None:
    return (await session.execute(select(Campaign))).scalar_one_or_none()


async def put(session: AsyncSession, body: CampaignWrite, *, now: datetime) -> Campaign:
    """Create the campaign or replace its settings (one row, upserted)."""
    values = body.model_dump()
    statement = (
        insert(Campaign)
        .values(id=uuid.uuid4(), singleton=True, updated_at=now, **values)
        .on_conflict_do_update(
            index_elements=[Campaign.singleton], set_={**values, "updated_at": now}
        )
        .returning(Campaign)
    )
    # populate_existing: a campaign read earlier in this session (the audit's "before") is
    # refreshed with what was written, not answered as it was.
    written = await session.execute(statement, execution_options={"populate_existing": True})
    campaign: Campaign = written.scalar_one()
    return campaign


def today_in(campaign: Campaign, now: datetime) -> date:
    return now.astimezone(ZoneInfo(campaign.timezone)).date()
