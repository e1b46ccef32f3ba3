"""Reward tiers of the campaign. Helpers flush; callers commit."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
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
    session.add(tier)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise duplicate_days(body.required_days, body.rule) from exc
    return tier


async def update(session: AsyncSession, tier: Tier, body: TierUpdate) -> Tier:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    for cleared in ("description", "image_url"):  # "" removes them
        if changes.get(cleared) == "":
            changes[cleared] = None
    if changes.get("daily_limit") == 0:  # 0 removes it
        changes["daily_limit"] = None
    if "points" in changes and tier.kind != "points":
        raise ProblemError(422, "validation_error", "Invalid tier", "An item tier has no points")
    for name, value in changes.items():
        setattr(tier, name, value)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise duplicate_days(changes.get("required_days", tier.required_days), tier.rule) from exc
    return tier
