"""A claim: enough days by the tier's rule, one per shopper, tier and `seq` (unique key:
the n-th claim of a repeating tier), the day's count under the tier's daily limit (a
conditional upsert), then the grant, one statement (`grant.py`: the stock taken by a
conditional UPDATE, the claim, its fulfilment or ledger entry, the events). Any refusal
raises and the request's unit of work rolls everything back: nothing is half-written. A
tier without a daily limit, claimed without an Idempotency-Key, is that statement alone,
shared with the tier's other claims of the moment (`claim_alone`)."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims import context, grant, rules
from reward_service.claims.context import ClaimContext
from reward_service.claims.grant import Grant
from reward_service.claims.grant_lines import GrantLines
from reward_service.claims.schemas import ClaimCreated
from reward_service.claims.shipping import ShippingAddress
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
    row's lock: the daily slot, the stock, the unique claim key (`grant.py`)."""
    tier = read_before or claimable(
        await context.read(
            session, user_id=user_id, token_eligible=token_eligible, tier_id=tier_id, now=now
        )
    )
    if tier.daily_limit is not None:
        await take_daily_slot(session, tier, now=now)
    made = Grant.of(tier, user_id=user_id, now=now, shipping=shipping)
    try:
        return granted(tier, await grant.in_session(session, made))
    except grant.AlreadyGranted:
        raise already_claimed(tier) from None


async def claim_alone(
    lines: GrantLines,
    tier: ClaimContext,
    *,
    user_id: uuid.UUID,
    now: datetime,
    shipping: ShippingAddress | None = None,
) -> ClaimCreated:
    """A claimable tier without a daily limit, claimed without a transaction of its own:
    in line with the tier's other claims of the moment, granted by one statement with
    them (`grant_lines.py`); what `claim` writes, in one round trip for the group."""
    assert tier.daily_limit is None
    made = Grant.of(tier, user_id=user_id, now=now, shipping=shipping)
    try:
        return granted(tier, made.created(await lines.grant(made)))
    except grant.AlreadyGranted:
        raise already_claimed(tier) from None


def granted(tier: ClaimContext, created: ClaimCreated | None) -> ClaimCreated:
    if created is None:  # none was left when the statement came to it
        raise out_of_stock(tier)
    return created


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
