from datetime import date
from typing import Annotated

from checkin_shared.direct_route import DirectRoute, json_answer
from checkin_shared.security import CurrentUser
from checkin_shared.unit_of_work import SessionDep, counted, statement_work
from fastapi import APIRouter, Query, Request, Response, status

from attendance_service.checkins import service
from attendance_service.checkins.metrics import count_check_in
from attendance_service.checkins.schemas import AttendanceSummary, Calendar, CheckInRead
from attendance_service.days import business_day, day_range
from attendance_service.dependencies import ClockDep, SettingsDep

router = APIRouter(prefix="/attendance", tags=["check-ins"])
# The hottest route: a DirectRoute (no dependency solving), one write statement
# (checkins/statement.py), with at most once a second a read of whether campaign
# eligibility rules apply: no BEGIN/COMMIT and no session.
hot = APIRouter(prefix="/attendance", tags=["check-ins"], route_class=DirectRoute)


@hot.post(
    "/check-ins",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckInRead,
    summary="Check in for today (once per business day)",
    responses={403: {"description": "not_eligible"}, 409: {"description": "already_checked_in"}},
)
async def check_in(request: Request, principal: CurrentUser) -> Response:
    """Records today's check-in for the signed-in shopper: once per business day (the
    business time zone decides when a day starts), only for a shopper with a paid purchase
    (followed by events: no new sign-in is needed after one is recorded or refunded).
    A second check-in the same day is 409 `already_checked_in` and changes nothing."""
    state = request.app.state
    work = statement_work(state.engine, success="checked_in")
    async with counted(request, count_check_in, work) as opened:
        read = await service.check_in(
            opened.connection,
            user_id=principal.user_id,
            token_eligible=principal.eligible,
            now=state.clock.now(),
            zone=state.settings.zone,
            rules=state.campaign_rules,
        )
    return json_answer(read, status.HTTP_201_CREATED)


@router.get("/me", summary="My attendance: today, totals and streaks")
async def my_attendance(
    principal: CurrentUser, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> AttendanceSummary:
    """Whether I checked in today, my total days, and my current and longest streaks."""
    today = business_day(clock.now(), settings.zone)
    return await service.summary(session, user_id=principal.user_id, today=today)


@router.get("/me/calendar", summary="My check-in days (default: the last 30 days)")
async def my_calendar(
    principal: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Calendar:
    """Each business day of the range (`from`, `to`; at most 366 days) and whether I checked
    in on it."""
    today = business_day(clock.now(), settings.zone)
    first, last = day_range(start, end, today=today)
    days = await service.calendar(session, user_id=principal.user_id, start=first, end=last)
    return Calendar(days=days)
