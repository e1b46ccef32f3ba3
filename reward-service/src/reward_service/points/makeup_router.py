import uuid

from checkin_shared.security import CurrentUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, status

from reward_service.dependencies import ClockDep
from reward_service.points import makeups
from reward_service.points.makeup_schemas import MakeupAsk, MakeupList, MakeupRead

router = APIRouter(prefix="/rewards/me/makeups", tags=["rewards: make-up days"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Fill a missed day with points",
    responses={
        403: {"description": "not_eligible"},
        409: {"description": "insufficient_points or makeup_limit_reached"},
        422: {"description": "day_not_allowed"},
    },
)
async def ask_for_makeup(
    body: MakeupAsk, principal: CurrentUser, session: SessionDep, clock: ClockDep
) -> MakeupRead:
    """Spends the running campaign's `makeup.cost_points` now and asks for the day, which
    must be a past day of the campaign that was not checked in, at most
    `makeup.max_per_campaign` times. `GET /rewards/me/makeups/{id}` then says `applied` or
    `refused` (with its `code`; the points come back) within moments."""
    makeup = await makeups.request(
        session,
        user_id=principal.user_id,
        token_eligible=principal.eligible,
        day=body.day,
        now=clock.now(),
    )
    return MakeupRead.model_validate(makeup, from_attributes=True)


@router.get("", summary="My make-up days, newest first")
async def my_makeups(principal: CurrentUser, session: SessionDep) -> MakeupList:
    """My last 100 make-up days with their status."""
    items = await makeups.mine(session, principal.user_id)
    return MakeupList(items=[MakeupRead.model_validate(m, from_attributes=True) for m in items])


@router.get(
    "/{makeup_id}",
    summary="One of my make-up days",
    responses={404: {"description": "makeup_not_found"}},
)
async def my_makeup(
    makeup_id: uuid.UUID, principal: CurrentUser, session: SessionDep
) -> MakeupRead:
    """`pending`, `applied`, or `refused` with its `code` (the points given back)."""
    return MakeupRead.model_validate(
        await makeups.get(session, principal.user_id, makeup_id), from_attributes=True
    )
