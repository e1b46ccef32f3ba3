from checkin_shared.pagination import CursorQuery, LimitQuery
from checkin_shared.security import CurrentUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter

from reward_service.points import service
from reward_service.points.schemas import MyPoints, PointsItem

router = APIRouter(prefix="/rewards", tags=["rewards"])


@router.get("/me/points", summary="My points balance and ledger, newest first")
async def my_points(
    principal: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> MyPoints:
    """My points balance and its history (credits and debits), newest first."""
    entries, next_cursor = await service.ledger_page(
        session, principal.user_id, cursor=cursor, limit=limit
    )
    return MyPoints(
        balance=await service.balance(session, principal.user_id),
        items=[PointsItem.model_validate(p, from_attributes=True) for p in entries],
        next_cursor=next_cursor,
    )
