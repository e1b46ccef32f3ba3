"""A claim is one transaction: enough days by the tier's rule, one per shopper, tier and
`seq` (unique key: the n-th claim of a repeating tier), the day's count under the tier's
daily limit (a conditional upsert), the stock taken last by one conditional UPDATE, the
ledger entry and the events. Any refusal raises and the request's unit of work rolls
everything back: nothing is half-written."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import RewardClaimedV1
from checkin_shared.events.envelope import wrap
from checkin_shared.request_id import request_id_var
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims import context, rules
from reward_service.claims.context import ClaimContext
from reward_service.claims.models import Claim, Fulfilment, claim_number
from reward_service.claims.schemas import ClaimCreated
from reward_service.claims.shipping import ShippingAddress
from reward_service.db import OUTBOX
from reward_service.points import service as points
from reward_service.points.expiry import expiry_of
from reward_service.stock.events import announce_low_stock, crossed_threshold
from reward_service.stock.take import take_one
from reward_service.tiers import service as tiers
from reward_service.tiers.models import TierDayClaims


def claimable(tier: ClaimContext | None) -> ClaimContext:
    """The tier as read, or the refusal its context shows (raised)."""
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
    if not rules.repeats(tier.rule) and tier.held > 0:
        raise already_claimed(tier)
    if rules.claimable_count(tier.rule, tier.required_days, tier.days, tier.held) == 0:
        raise not_enough_days(tier)
    if tier.stock <= 0:  # gone already (a storm's common case): refuse without writing
        raise out_of_stock(tier)
    return tier


async def claim(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    tier_id: uuid.UUID,
    now: datetime,
    shipping: ShippingAddress | None = None,
    read_before: ClaimContext | None = None,
) -> ClaimCreated:
    """`read_before`: the context as `context.read_early` read it, already `claimable`
    (else it is read here, inside the transaction). Either is a READ COMMITTED snapshot
    taken before the writes; what the writes rely on, each write checks again under its
    row's lock: the unique claim key, the daily slot, the stock."""
    tier = read_before or claimable(
        await context.read(
            session, user_id=user_id, token_eligible=token_eligible, tier_id=tier_id, now=now
        )
    )
    claim_id = uuid.uuid4()
    inserted = await session.execute(
        insert(Claim)
        .values(id=claim_id, user_id=user_id, tier_id=tier_id, claimed_at=now, seq=tier.held + 1)
        .on_conflict_do_nothing(index_elements=[Claim.user_id, Claim.tier_id, Claim.seq])
        .returning(Claim.number)
    )
    number = inserted.scalar_one_or_none()
    if number is None:  # the same claim, made at the same moment by another request
        raise already_claimed(tier)
    if tier.daily_limit is not None:
        await take_daily_slot(session, tier, now=now)
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
            expires_at=expiry_of(now, tier.timezone, tier.points_expire_after_days),
        )
    # The claim's own rows first; the stock last, with its event in the same statement,
    # so the tier's row is locked for that statement and the COMMIT only.
    await session.flush()
    claimed = wrap(
        RewardClaimedV1(
            claim_id=claim_id,
            claim_number=claim_number(number),
            user_id=user_id,
            tier_id=tier_id,
            tier_name=tier.name,
            kind=tier.kind,
            points=tier.points,
            claimed_at=now,
            stock_left=0,  # a placeholder: the statement writes what is left
        ),
        occurred_at=now,
        producer=OUTBOX.info["producer"],
        correlation_id=request_id_var.get(),
    )
    stock_left = await take_one(session, tier_id, claimed)
    if stock_left is None:
        raise out_of_stock(tier)
    if crossed_threshold(stock_left + 1, stock_left, tier.low_stock_threshold):
        await announce_low_stock(session, tier, stock=stock_left, now=now)
    return ClaimCreated(
        claim_id=claim_id, claim_number=claim_number(number), tier_id=tier_id, claimed_at=now
    )


async def take_daily_slot(session: AsyncSession, tier: ClaimContext, *, now: datetime) -> None:
    """One of the tier's claims for today, or 409 once the day's limit is reached. The
    upsert's condition is checked on the row's latest version under its lock, so
    concurrent claims never pass the limit."""
    assert tier.daily_limit is not None
    day = rules.business_day(now, tier.timezone)
    statement = (
        insert(TierDayClaims)
        .values(tier_id=tier.id, day=day, claims=1)
        .on_conflict_do_update(
            index_elements=[TierDayClaims.tier_id, TierDayClaims.day],
            set_={"claims": TierDayClaims.claims + 1},
            where=TierDayClaims.claims < tier.daily_limit,
        )
        .returning(TierDayClaims.claims)
    )
    if (await session.execute(statement)).first() is None:
        resets_at = rules.next_midnight(now, tier.timezone)
        raise ProblemError(
            409,
            "daily_limit_reached",
            "Daily limit reached",
            f"{tier.name!r} can be claimed {tier.daily_limit} times a day; "
            f"that many were claimed today. It opens again at {resets_at.isoformat()}",
            resets_at=resets_at.isoformat(),
        )


def not_enough_days(tier: ClaimContext) -> ProblemError:
    required = rules.days_needed(tier.rule, tier.required_days, tier.held)
    have = rules.counted(tier.rule, tier.days)
    what = "days in a row" if tier.rule == "consecutive" else "check-in days"
    return ProblemError(
        403,
        "not_enough_days",
        "Not enough check-in days",
        f"{tier.name!r} needs {required} {what}; you have {have}",
        required=required,
        have=have,
    )


def already_claimed(tier: ClaimContext) -> ProblemError:
    return ProblemError(
        409, "already_claimed", "Already claimed", f"You already have {tier.name!r}"
    )


def out_of_stock(tier: ClaimContext) -> ProblemError:
    return ProblemError(409, "out_of_stock", "Out of stock", f"{tier.name!r} is out of stock")
