"""A claim is one transaction: enough days, one per shopper and tier (unique key), the
stock taken last by one conditional UPDATE, the ledger entry and the events. Any refusal
raises and the request's unit of work rolls everything back: nothing is half-written."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import RewardClaimedV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims import context
from reward_service.claims.context import ClaimContext
from reward_service.claims.models import Claim, Fulfilment, claim_number
from reward_service.claims.schemas import ClaimCreated
from reward_service.claims.shipping import ShippingAddress
from reward_service.db import OUTBOX
from reward_service.points import service as points
from reward_service.stock.events import announce_low_stock, crossed_threshold
from reward_service.tiers import service as tiers
from reward_service.tiers.models import Tier


async def claim(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    tier_id: uuid.UUID,
    now: datetime,
    shipping: ShippingAddress | None = None,
) -> ClaimCreated:
    tier = await context.read(
        session, user_id=user_id, token_eligible=token_eligible, tier_id=tier_id
    )
    if tier is None:
        raise tiers.tier_not_found()
    if not tier.active:
        raise ProblemError(
            409, "tier_inactive", "Tier retired", f"{tier.name!r} can no longer be claimed"
        )
    if not tier.eligible:
        raise ProblemError(
            403,
            "not_eligible",
            "Not eligible",
            "Claiming needs a paid purchase from the shop (not refunded or cancelled)",
        )
    have = tier.have
    if have < tier.required_days:
        raise ProblemError(
            403,
            "not_enough_days",
            "Not enough check-in days",
            f"{tier.name!r} needs {tier.required_days} check-in days; you have {have}",
            required=tier.required_days,
            have=have,
        )
    if tier.stock <= 0:  # gone already (a storm's common case): refuse without writing
        raise already_claimed(tier) if tier.claimed else out_of_stock(tier)
    claim_id = uuid.uuid4()
    inserted = await session.execute(
        insert(Claim)
        .values(id=claim_id, user_id=user_id, tier_id=tier_id, claimed_at=now)
        .on_conflict_do_nothing(index_elements=[Claim.user_id, Claim.tier_id])
        .returning(Claim.number)
    )
    number = inserted.scalar_one_or_none()
    if number is None:
        raise already_claimed(tier)
    if tier.kind == "item":  # its journey starts: waiting for the address, or ready to ship
        status = "awaiting_address" if shipping is None else "pending"
        address = shipping.model_dump() if shipping else {}
        session.add(Fulfilment(claim_id=claim_id, status=status, updated_at=now, **address))
    if tier.kind == "points" and tier.points is not None:
        points.credit(
            session,
            user_id=user_id,
            amount=tier.points,
            reason=f"reward: {tier.name}",
            claim_id=claim_id,
            now=now,
        )
    # Last, so the tier's row lock is held for as short a time as possible.
    taken = (
        await session.execute(
            update(Tier)
            .where(Tier.id == tier_id, Tier.stock > 0)
            .values(stock=Tier.stock - 1)
            .returning(Tier.stock)
        )
    ).first()
    if taken is None:
        raise out_of_stock(tier)
    stock_left = int(taken.stock)
    claimed = RewardClaimedV1(
        claim_id=claim_id,
        claim_number=claim_number(number),
        user_id=user_id,
        tier_id=tier_id,
        tier_name=tier.name,
        kind=tier.kind,
        points=tier.points,
        claimed_at=now,
        stock_left=stock_left,
    )
    await add_event(session, OUTBOX, claimed, occurred_at=now)
    if crossed_threshold(stock_left + 1, stock_left, tier.low_stock_threshold):
        await announce_low_stock(session, tier, stock=stock_left, now=now)
    return ClaimCreated(
        claim_id=claim_id, claim_number=claim_number(number), tier_id=tier_id, claimed_at=now
    )


def already_claimed(tier: ClaimContext) -> ProblemError:
    return ProblemError(
        409, "already_claimed", "Already claimed", f"You already have {tier.name!r}"
    )


def out_of_stock(tier: ClaimContext) -> ProblemError:
    return ProblemError(409, "out_of_stock", "Out of stock", f"{tier.name!r} is out of stock")
