import uuid
from datetime import datetime

from checkin_shared import audit
from checkin_shared.security import AdminUser, StaffUser, admin_area
from checkin_shared.tokens import Principal
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, status

from reward_service.campaigns import service as campaigns
from reward_service.campaigns.models import Campaign
from reward_service.catalog import CatalogCache, CatalogDep
from reward_service.db import AUDIT
from reward_service.dependencies import ClockDep
from reward_service.tiers import service
from reward_service.tiers.dependencies import ValidTier
from reward_service.tiers.schemas import TierCreate, TierList, TierRead, TierUpdate

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin",
    tags=["admin: tiers and stock"],
    dependencies=[Depends(admin_area)],
)


@router.get("/tiers", summary="The campaign's reward tiers")
async def list_tiers(_: StaffUser, session: SessionDep, clock: ClockDep) -> TierList:
    """Every tier of the campaign (running, else next, else the last), with its stock and
    low-stock threshold."""
    campaign = await campaigns.current(session, clock.now())
    tiers = await service.list_tiers(session, campaign)
    return TierList(items=[TierRead.model_validate(t, from_attributes=True) for t in tiers])


@router.post(
    "/tiers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a reward tier to the campaign",
    responses={
        404: {"description": "no_campaign"},
        409: {"description": "duplicate_required_days"},
    },
)
async def create_tier(
    body: TierCreate, admin: AdminUser, session: SessionDep, clock: ClockDep, catalog: CatalogDep
) -> TierRead:
    """Adds a tier to the campaign (running, else next, else the last): a `points` tier
    credits `points`; an `item` tier is shipped. Stock starts at `stock` (recorded in the
    stock ledger)."""
    campaign = await campaigns.current(session, clock.now())
    return await _created(session, campaign, body, admin, clock.now(), catalog)


@router.post(
    "/campaigns/{campaign_id}/tiers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a reward tier to a campaign",
    responses={
        404: {"description": "campaign_not_found"},
        409: {"description": "duplicate_required_days"},
    },
)
async def create_campaign_tier(
    campaign_id: uuid.UUID,
    body: TierCreate,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> TierRead:
    """Adds a tier to that campaign (a draft's tiers are ready when it is published)."""
    campaign = await campaigns.get(session, campaign_id)
    return await _created(session, campaign, body, admin, clock.now(), catalog)


async def _created(
    session: SessionDep,
    campaign: Campaign,
    body: TierCreate,
    admin: Principal,
    now: datetime,
    catalog: CatalogCache,
) -> TierRead:
    tier = await service.create(session, campaign, body, now=now)
    catalog.invalidate()
    made = TierRead.model_validate(tier, from_attributes=True)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="tier.created",
        target=f"tier:{tier.id}",
        after=made.model_dump(mode="json"),
        at=now,
    )
    return made


@router.patch(
    "/tiers/{tier_id}",
    summary="Change a tier (not its stock)",
    responses={
        404: {"description": "tier_not_found"},
        409: {"description": "duplicate_required_days or campaign_started"},
    },
)
async def update_tier(
    body: TierUpdate,
    tier: ValidTier,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> TierRead:
    """Changes a tier's name, required days, points or low-stock threshold; stock changes go
    through stock adjustments."""
    before = TierRead.model_validate(tier, from_attributes=True).model_dump(mode="json")
    tier = await service.update(session, tier, body, now=clock.now())
    catalog.invalidate()
    after = TierRead.model_validate(tier, from_attributes=True)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="tier.updated",
        target=f"tier:{tier.id}",
        before=before,
        after=after.model_dump(mode="json"),
        at=clock.now(),
    )
    return after
