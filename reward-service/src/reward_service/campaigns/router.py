import uuid
from datetime import datetime
from typing import Any

from checkin_shared import audit
from checkin_shared.security import AdminUser, StaffUser, admin_area
from checkin_shared.tokens import Principal
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, status

from reward_service.campaigns import service
from reward_service.campaigns.models import Campaign
from reward_service.campaigns.schemas import (
    CampaignList,
    CampaignPatch,
    CampaignRead,
    CampaignWrite,
)
from reward_service.catalog import CatalogCache, CatalogDep
from reward_service.db import AUDIT
from reward_service.dependencies import ClockDep

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin", tags=["admin: campaign"], dependencies=[Depends(admin_area)]
)
CHANGE_REFUSALS: dict[int | str, dict[str, Any]] = {
    409: {"description": "campaign_overlap or campaign_started"},
    422: {"description": "validation_error"},
}


@router.get("/campaign", summary="The campaign", responses={404: {"description": "no_campaign"}})
async def get_campaign(_: StaffUser, session: SessionDep, clock: ClockDep) -> CampaignRead:
    """The running campaign, else the next one, else the last that ended: its name, days
    (`starts_on`, `ends_on`), time zone and rules."""
    return service.answer(await service.current(session, clock.now()), clock.now())


@router.put("/campaign", summary="Set up or change the campaign", responses=CHANGE_REFUSALS)
async def put_campaign(
    body: CampaignWrite,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> CampaignRead:
    """Changes the running campaign (else the next, else the last) to these settings; with
    none, creates it, published. Only check-ins within its days count towards tiers."""
    now = clock.now()
    found = await service.find(session, now)
    before = service.answer(found, now).model_dump(mode="json") if found else None
    campaign = await service.put(session, body, now=now)
    return await _recorded(session, catalog, admin, campaign, "campaign.updated", before, now)


@router.get("/campaigns", summary="Every campaign: drafts, scheduled, running, ended")
async def list_campaigns(_: StaffUser, session: SessionDep, clock: ClockDep) -> CampaignList:
    """Every campaign, earliest first, with its status as of now."""
    now = clock.now()
    return CampaignList(items=[service.answer(c, now) for c in await service.list_all(session)])


@router.post(
    "/campaigns",
    status_code=status.HTTP_201_CREATED,
    summary="Create a campaign (a draft)",
    responses={422: {"description": "validation_error"}},
)
async def create_campaign(
    body: CampaignWrite, admin: AdminUser, session: SessionDep, clock: ClockDep, catalog: CatalogDep
) -> CampaignRead:
    """A draft: add its tiers (`POST /rewards/admin/campaigns/{id}/tiers`), then publish it.
    Nothing counts towards a draft."""
    now = clock.now()
    campaign = await service.create(session, body, now=now)
    return await _recorded(session, catalog, admin, campaign, "campaign.created", None, now)


@router.get(
    "/campaigns/{campaign_id}",
    summary="One campaign",
    responses={404: {"description": "campaign_not_found"}},
)
async def get_one(
    campaign_id: uuid.UUID, _: StaffUser, session: SessionDep, clock: ClockDep
) -> CampaignRead:
    """The campaign with its status as of now."""
    return service.answer(await service.get(session, campaign_id), clock.now())


@router.patch(
    "/campaigns/{campaign_id}",
    summary="Change a campaign",
    responses={404: {"description": "campaign_not_found"}, **CHANGE_REFUSALS},
)
async def patch_campaign(
    campaign_id: uuid.UUID,
    body: CampaignPatch,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> CampaignRead:
    """Changes the fields given. Once a published campaign has begun, its days so far stay
    counted: `starts_on` may not move later, `ends_on` not before today, the zone not
    change (409 `campaign_started`); published windows never overlap (409
    `campaign_overlap`)."""
    now = clock.now()
    campaign = await service.get(session, campaign_id)
    before = service.answer(campaign, now).model_dump(mode="json")
    values = service.columns(body.model_dump(exclude_unset=True))
    campaign = await service.change(session, campaign, values, now=now)
    return await _recorded(session, catalog, admin, campaign, "campaign.updated", before, now)


@router.post(
    "/campaigns/{campaign_id}/publish",
    summary="Publish a campaign",
    responses={
        404: {"description": "campaign_not_found"},
        409: {"description": "campaign_overlap"},
    },
)
async def publish_campaign(
    campaign_id: uuid.UUID,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> CampaignRead:
    """From draft to `scheduled`, `running` or `ended` by its days; check-ins on its days
    count towards its tiers from now on. Publishing again changes nothing."""
    now = clock.now()
    campaign = await service.get(session, campaign_id)
    before = service.answer(campaign, now).model_dump(mode="json")
    campaign = await service.publish(session, campaign, now=now)
    return await _recorded(session, catalog, admin, campaign, "campaign.published", before, now)


async def _recorded(
    session: SessionDep,
    catalog: CatalogCache,
    admin: Principal,
    campaign: Campaign,
    action: str,
    before: dict[str, Any] | None,
    now: datetime,
) -> CampaignRead:
    """The change answered, the cached campaign dropped, the audit written."""
    catalog.invalidate()
    after = service.answer(campaign, now)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action=action,
        target=f"campaign:{campaign.id}",
        before=before,
        after=after.model_dump(mode="json"),
        at=now,
    )
    return after
