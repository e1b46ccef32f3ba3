import uuid
from datetime import date
from typing import Annotated

from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import StaffUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Query

from attendance_service.admin import service
from attendance_service.admin.schemas import AdminCheckIn, DailySummary
from attendance_service.days import business_day, day_range
from attendance_service.dependencies import ClockDep, SettingsDep

router = APIRouter(prefix="/attendance/admin", tags=["admin: attendance"])


@router.get("/check-ins", summary="Who checked in (filter by day and/or shopper)")
async def list_check_ins(
    _: StaffUser,
    session: SessionDep,
    day: date | None = None,
    user_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AdminCheckIn]:
    """Every check-in, newest first, filtered by shopper and business days (`from`, `to`,
    inclusive, in the business time zone). Paginated by `next_cursor`."""
    rows, next_cursor = await service.list_check_ins(
        session, day=day, user_id=user_id, cursor=cursor, limit=limit
    )
    items = [
        AdminCheckIn(user_id=c.user_id, day=c.day, checked_at=c.checked_at, email=e, name=n)
        for c, e, n in rows
    ]
    return Page[AdminCheckIn](items=items, next_cursor=next_cursor)


@router.get("/summary", summary="Check-ins per business day")
async def summary(
    _: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> DailySummary:
    """How many shoppers checked in on each business day of the range (default: the last 30
    days); days without a check-in are listed with 0."""
    today = business_day(clock.now(), settings.zone)
    first, last = day_range(start, end, today=today)
    return DailySummary(days=await service.daily_counts(session, start=first, end=last))
