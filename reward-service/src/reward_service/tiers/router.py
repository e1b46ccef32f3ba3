import uuid
from typing import Annotated

from checkin_shared.db import SessionDep
from checkin_shared.security import AdminUser, admin_principal
from fastapi import APIRouter, Depends, status

from reward_service.campaigns import service as campaigns
from reward_service.dependencies import ClockDep
from reward_service.stock import service as stock
from reward_service.stock.schemas import (
    StockAdjusted,
    StockAdjustmentCreate,
    StockList,
    StockStatus,
)
from reward_service.tiers import service
from reward_service.tiers.models import Tier
from reward_service.tiers.schemas import TierCreate, TierList, TierRead, TierUpdate

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin",
    tags=["admin: tiers and stock"],
    dependencies=[Depends(admin_principal)],
)


async def valid_tier(tier_id: uuid.UUID, session: SessionDep) -> Tier:
    return await service.get(session, tier_id)


ValidTier = Annotated[Tier, Depends(valid_tier)]


@router.get("/tiers", summary="The campaign's reward tiers")
async def list_tiers(_: AdminUser, session: SessionDep) -> TierList:
    campaign = await campaigns.current(session)
    tiers = await service.list_tiers(session, campaign)
    return TierList(items=[TierRead.model_validate(t, from_attributes=True) for t in tiers])


@router.post(
    "/tiers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a reward tier",
    responses={409: {"description": "duplicate_required_days"}},
)
async def create_tier(
    body: TierCreate, _: AdminUser, session: SessionDep, clock: ClockDep
) -> TierRead:
    campaign = await campaigns.current(session)
    tier = await service.create(session, campaign, body, now=clock.now())
    await session.commit()
    return TierRead.model_validate(tier, from_attributes=True)


@router.patch(
    "/tiers/{tier_id}",
    summary="Change a tier (not its stock)",
    responses={
        404: {"description": "tier_not_found"},
        409: {"description": "duplicate_required_days"},
    },
)
async def update_tier(
    body: TierUpdate, tier: ValidTier, _: AdminUser, session: SessionDep
) -> TierRead:
    tier = await service.update(session, tier, body)
    await session.commit()
    return TierRead.model_validate(tier, from_attributes=True)


@router.post(
    "/tiers/{tier_id}/stock-adjustments",
    status_code=status.HTTP_201_CREATED,
    summary="Add or remove stock (audited)",
    responses={404: {"description": "tier_not_found"}, 409: {"description": "stock_negative"}},
)
async def adjust_stock(
    tier_id: uuid.UUID,
    body: StockAdjustmentCreate,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
) -> StockAdjusted:
    result = await stock.adjust(
        session,
        tier_id=tier_id,
        delta=body.delta,
        reason=body.reason,
        admin_id=admin.user_id,
        now=clock.now(),
    )
    await session.commit()
    return StockAdjusted(stock=result)


@router.get("/stock", summary="Stock of every tier, with the low-stock flag")
async def stock_status(_: AdminUser, session: SessionDep) -> StockList:
    campaign = await campaigns.current(session)
    tiers = await service.list_tiers(session, campaign)
    return StockList(
        items=[
            StockStatus(
                tier_id=t.id,
                name=t.name,
                stock=t.stock,
                low_stock_threshold=t.low_stock_threshold,
                low=t.stock <= t.low_stock_threshold,
            )
            for t in tiers
        ]
    )
