"""Reward tiers of the campaign. Helpers flush; callers commit."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns import service as campaigns
from reward_service.campaigns.models import Campaign
from reward_service.projection.service import someone_has
from reward_service.tiers.models import Tier
from reward_service.tiers.schemas import TierCreate, TierUpdate


def tier_not_found() -> ProblemError:
    return ProblemError(404, "tier_not_found", "Tier not found", "No such reward tier")


def duplicate_days(days: int, rule: str) -> ProblemError:
    return ProblemError(
        409,
        "duplicate_required_days",
        "Duplicate tier",
        f"Another {rule} tier already needs {days} days (tiers may share a day count only "
        "when their rules differ)",
    )


async def _refuse_if_reached(session: AsyncSession, tier: Tier, now: datetime) -> None:
    """More days for a tier of a campaign that has begun would take it from whoever has
    reached it: refused while anyone holds that many days in the window."""
    campaign = await session.get(Campaign, tier.campaign_id)
    assert campaign is not None
    if campaigns.status_of(campaign, now) not in ("running", "ended"):
        return
    if await someone_has(session, campaign, tier.required_days):
        raise ProblemError(
            409,
            "campaign_started",
            "Campaign started",
            f"Shoppers already have {tier.required_days} days in this campaign: more days "
            "would take the reward they reached away",
        )


async def get(session: AsyncSession, tier_id: uuid.UUID) -> Tier:
    tier = await session.get(Tier, tier_id)
    if tier is None:
        raise tier_not_found()
    return tier


async def list_tiers(session: AsyncSession, campaign: Campaign) -> list[Tier]:
    statement = select(Tier).where(Tier.campaign_id == campaign.id).order_by(Tier.required_days)
    return list((await session.execute(statement)).scalars())


async def create(
    session: AsyncSession, campaign: Campaign, body: TierCreate, *, now: datetime
) -> Tier:
    tier = Tier(id=uuid.uuid4(), campaign_id=campaign.id, created_at=now, **body.model_dump())
    try:
        async with session.begin_nested():
            session.add(tier)
            await session.flush()
    except IntegrityError as exc:
        raise duplicate_days(body.required_days, body.rule) from exc
    return tier


async def update(session: AsyncSession, tier: Tier, body: TierUpdate, *, now: datetime) -> Tier:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("required_days", tier.required_days) > tier.required_days:
        await _refuse_if_reached(session, tier, now)
    for cleared in ("description", "image_url"):  # "" removes them
        if changes.get(cleared) == "":
            changes[cleared] = None
    if changes.get("daily_limit") == 0:  # 0 removes it
        changes["daily_limit"] = None
    if "points" in changes and tier.kind != "points":
        raise ProblemError(422, "validation_error", "Invalid tier", "An item tier has no points")
    refusal = duplicate_days(changes.get("required_days", tier.required_days), tier.rule)
    try:
        # Changed inside the savepoint: begin_nested() flushes what is pending before it.
        async with session.begin_nested():
            for name, value in changes.items():
                setattr(tier, name, value)
            await session.flush()
    except IntegrityError as exc:
        raise refusal from exc
    return tier
