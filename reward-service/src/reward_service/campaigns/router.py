from checkin_shared import audit
from checkin_shared.security import AdminUser, StaffUser, admin_area
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends

from reward_service.campaigns import service
from reward_service.campaigns.schemas import CampaignRead, CampaignWrite
from reward_service.catalog import CatalogDep
from reward_service.db import AUDIT
from reward_service.dependencies import ClockDep

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin", tags=["admin: campaign"], dependencies=[Depends(admin_area)]
)


@router.get("/campaign", summary="The campaign", responses={404: {"description": "no_campaign"}})
async def get_campaign(_: StaffUser, session: SessionDep) -> CampaignRead:
    """The campaign: its name, its days (`starts_on`, `ends_on`) and its time zone."""
    return CampaignRead.model_validate(await service.current(session), from_attributes=True)


@router.put("/campaign", summary="Set up or change the campaign")
async def put_campaign(
    body: CampaignWrite,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> CampaignRead:
    """Creates or replaces the campaign. Only check-ins within its days count towards tiers."""
    found = await service.find(session)
    before = CampaignRead.model_validate(found, from_attributes=True) if found else None
    campaign = await service.put(session, body, now=clock.now())
    catalog.invalidate()
    after = CampaignRead.model_validate(campaign, from_attributes=True)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="campaign.updated",
        target=f"campaign:{campaign.id}",
        before=before.model_dump(mode="json") if before else None,
        after=after.model_dump(mode="json"),
        at=clock.now(),
    )
    return after
