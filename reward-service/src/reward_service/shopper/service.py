"""What a shopper sees of the campaign: tier status, progress, claims, points."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims.models import Claim, PointsEntry
from reward_service.shopper.schemas import Status, TierForShopper, TierRef
from reward_service.tiers.models import Tier


def status_of(tier: Tier, *, have: int, claimed: bool) -> Status:
    if claimed:
        return "claimed"
    if tier.stock == 0:
        return "out_of_stock"
    return "claimable" if have >= tier.required_days else "locked"


def tier_view(tier: Tier, *, have: int, claimed: set[uuid.UUID]) -> TierForShopper:
    return TierForShopper(
        id=tier.id,
        name=tier.name,
        required_days=tier.required_days,
        kind=tier.kind,
        points=tier.points,
        in_stock=tier.stock > 0,
        status=status_of(tier, have=have, claimed=tier.id in claimed),
        days_remaining=max(0, tier.required_days - have),
    )


def progress(tiers: list[Tier], have: int) -> tuple[TierRef | None, TierRef | None]:
    """The highest tier reached and the next one (tiers sorted by required days)."""
    reached = [t for t in tiers if t.required_days <= have]
    ahead = [t for t in tiers if t.required_days > have]

    def ref(t: Tier | None) -> TierRef | None:
        return TierRef(id=t.id, name=t.name, required_days=t.required_days) if t else None

    return ref(reached[-1] if reached else None), ref(ahead[0] if ahead else None)


async def claimed_tier_ids(session: AsyncSession, user_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        (await session.execute(select(Claim.tier_id).where(Claim.user_id == user_id))).scalars()
    )


async def points_balance(session: AsyncSession, user_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(PointsEntry.user_id == user_id)
    )
    return int(total or 0)
