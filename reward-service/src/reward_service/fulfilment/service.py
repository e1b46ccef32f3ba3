"""A claim's fulfilment: the address, then staff moving it on. Each change locks the
claim's fulfilment row first, so two operators at once are served one after the other
and the second finds the state the first left (409 `invalid_transition`). Helpers flush;
the unit of work commits."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from checkin_shared import audit
from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import RewardFulfilmentChangedV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims.models import Claim, Fulfilment, claim_number
from reward_service.claims.shipping import ShippingAddress
from reward_service.db import AUDIT, OUTBOX
from reward_service.fulfilment.schemas import FulfilmentChange
from reward_service.points import grants
from reward_service.stock import service as stock
from reward_service.tiers.models import Tier

# Which status each change may start from.
ALLOWED_FROM = {
    "shipped": {"pending"},
    "delivered": {"shipped"},
    "cancelled": {"awaiting_address", "pending", "granted"},  # granted: a points claim
}
ADDRESS_EDITABLE = {"awaiting_address", "pending"}


def _set_address(fulfilment: Fulfilment, shipping: ShippingAddress) -> None:
    for field, value in shipping.model_dump().items():
        setattr(fulfilment, field, value)


@dataclass(frozen=True)
class Locked:
    claim: Claim
    tier: Tier
    fulfilment: Fulfilment | None  # None: a points claim nothing has happened to

    @property
    def status(self) -> str:
        return self.fulfilment.status if self.fulfilment else "granted"


async def lock(
    session: AsyncSession, claim_id: uuid.UUID, *, user_id: uuid.UUID | None = None
) -> Locked | None:
    """The claim with its tier and fulfilment, the fulfilment row locked; None when there is
    no such claim (or it is not `user_id`'s)."""
    statement = select(Claim, Tier).join(Tier, Tier.id == Claim.tier_id)
    statement = statement.where(Claim.id == claim_id)
    if user_id is not None:
        statement = statement.where(Claim.user_id == user_id)
    row = (await session.execute(statement.with_for_update(of=Claim))).first()
    if row is None:
        return None
    claim, tier = row
    fulfilment = await session.get(Fulfilment, claim_id, with_for_update=True)
    return Locked(claim, tier, fulfilment)


def claim_not_found() -> ProblemError:
    return ProblemError(404, "claim_not_found", "Claim not found", "No such claim")


def invalid_transition(current: str, wanted: str) -> ProblemError:
    return ProblemError(
        409,
        "invalid_transition",
        "Invalid transition",
        f"The claim is {current}; it cannot become {wanted}",
        current_status=current,
    )


async def set_address(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    claim_id: uuid.UUID,
    shipping: ShippingAddress,
    now: datetime,
) -> Locked:
    """The shopper gives (or corrects) the address of their item claim until it ships."""
    locked = await lock(session, claim_id, user_id=user_id)
    if locked is None or locked.fulfilment is None or locked.tier.kind != "item":
        raise claim_not_found()
    fulfilment = locked.fulfilment
    if fulfilment.status not in ADDRESS_EDITABLE:
        raise invalid_transition(fulfilment.status, "pending")
    _set_address(fulfilment, shipping)
    fulfilment.status, fulfilment.updated_at = "pending", now
    await session.flush()
    return locked


async def change(
    session: AsyncSession,
    *,
    claim_id: uuid.UUID,
    body: FulfilmentChange,
    actor_id: uuid.UUID,
    now: datetime,
) -> Locked:
    """Staff move a claim on: shipped, delivered or cancelled (the item back in stock, or a
    points tier's points taken back), announced for the mail and the shop's webhook."""
    _check_fields(body)
    locked = await lock(session, claim_id)
    if locked is None:
        raise claim_not_found()
    if locked.status not in ALLOWED_FROM[body.status]:
        raise invalid_transition(locked.status, body.status)
    status_before = locked.status
    fulfilment = locked.fulfilment
    if fulfilment is None:  # a points claim being cancelled
        fulfilment = Fulfilment(claim_id=claim_id, status=body.status, updated_at=now)
        session.add(fulfilment)
        locked = Locked(locked.claim, locked.tier, fulfilment)
    number = claim_number(locked.claim.number)
    if body.status == "shipped":
        fulfilment.carrier, fulfilment.tracking_number = body.carrier, body.tracking_number
        fulfilment.shipped_at = now
    elif body.status == "delivered":
        fulfilment.delivered_at = now
    else:
        fulfilment.cancelled_at, fulfilment.cancel_reason = now, body.reason
        await _undo(session, locked, number, reason=body.reason or "", actor_id=actor_id, now=now)
    fulfilment.status, fulfilment.updated_at = body.status, now
    await session.flush()
    changed = RewardFulfilmentChangedV1(
        claim_id=claim_id,
        claim_number=number,
        user_id=locked.claim.user_id,
        tier_id=locked.tier.id,
        tier_name=locked.tier.name,
        kind="item" if locked.tier.kind == "item" else "points",
        status=body.status,
        carrier=fulfilment.carrier,
        tracking_number=fulfilment.tracking_number,
        reason=fulfilment.cancel_reason,
    )
    await add_event(session, OUTBOX, changed, occurred_at=now)
    await audit.record(
        session,
        AUDIT,
        actor_id=actor_id,
        action=f"claim.{body.status}",
        target=f"claim:{claim_id}",
        before={"status": status_before},
        after=body.model_dump(mode="json", exclude_none=True),
        at=now,
    )
    return locked


def _check_fields(body: FulfilmentChange) -> None:
    missing = {
        "shipped": [f for f in ("carrier", "tracking_number") if getattr(body, f) is None],
        "cancelled": ["reason"] if body.reason is None else [],
        "delivered": [],
    }[body.status]
    if missing:
        raise ProblemError(
            422,
            "validation_error",
            "Invalid request",
            f"{body.status!r} needs {' and '.join(missing)}",
            errors=[{"loc": ["body", f], "msg": "Field required"} for f in missing],
        )


async def _undo(
    session: AsyncSession,
    locked: Locked,
    number: str,
    *,
    reason: str,
    actor_id: uuid.UUID,
    now: datetime,
) -> None:
    """What a cancellation gives back: the item to stock, so another shopper may claim it,
    or the points (never below zero: 409 `insufficient_points` when they are spent)."""
    why = f"claim {number} cancelled: {reason}"[:500]
    if locked.tier.kind == "item":
        await stock.adjust(
            session, tier_id=locked.tier.id, delta=1, reason=why, admin_id=actor_id, now=now
        )
    elif locked.tier.points:
        await grants.grant(
            session,
            user_ids=[locked.claim.user_id],
            amount=-locked.tier.points,
            reason=why,
            now=now,
        )
