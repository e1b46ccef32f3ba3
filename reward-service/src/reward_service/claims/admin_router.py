import uuid
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from checkin_shared.errors import ProblemError
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import StaffUser, admin_area
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from reward_service.campaigns import service as campaigns
from reward_service.claims import listing, queries
from reward_service.claims.attendance_schemas import AttendanceOverviewRow
from reward_service.claims.schemas import AdminClaimRead
from reward_service.dependencies import ClockDep
from reward_service.projection.service import days_per_shopper

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin",
    tags=["admin: claims and attendance"],
    dependencies=[Depends(admin_area)],
)
FromQuery = Annotated[date | None, Query(alias="from")]
ToQuery = Annotated[date | None, Query(alias="to")]


def _check_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise ProblemError(422, "invalid_range", "Invalid range", "`from` is after `to`")


def _user_cursor(cursor: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(cursor) if cursor else None
    except ValueError as exc:
        raise ProblemError(422, "invalid_cursor", "Invalid cursor") from exc


CSV_EXAMPLE = (
    ",".join(listing.CSV_COLUMNS)
    + "\r\na1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d,C-000042,6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9,"
    "kim@example.com,Kim Minji,5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b,Wireless earphones,item,,"
    "2026-11-30T00:15:00+00:00,pending\r\n"
)


@router.get(
    "/claims",
    summary="Claims, newest first; `Accept: text/csv` exports the same filter as CSV",
    response_model=Page[AdminClaimRead],
    responses={200: {"content": {"text/csv": {"example": CSV_EXAMPLE}}}},
)
async def list_claims(
    request: Request,
    _: StaffUser,
    session: SessionDep,
    clock: ClockDep,
    tier_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    email: Annotated[
        str | None, Query(max_length=320, description="The shopper's email (any case)")
    ] = None,
    start: FromQuery = None,
    end: ToQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Claims, newest first, with the shopper's email and name and the item's fulfilment;
    filtered by tier, shopper (id or email) and business days (`from`, `to`). With
    `Accept: text/csv` the same filter is streamed as a CSV file (every row, no paging)."""
    _check_range(start, end)
    campaign = await campaigns.find(session, clock.now())
    zone = ZoneInfo(campaign.timezone if campaign else "UTC")
    claim_filter = listing.ClaimFilter(tier_id, user_id, email, start, end, zone)
    if "text/csv" in request.headers.get("accept", ""):
        lines = listing.csv_lines(request.app.state.session_factory, claim_filter)
        return StreamingResponse(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="claims.csv"'},
        )
    items, next_cursor = await listing.page(session, claim_filter, cursor=cursor, limit=limit)
    return Page[AdminClaimRead](items=items, next_cursor=next_cursor)


@router.get("/attendance", summary="Shoppers' check-in days (from the projection) and claims")
async def attendance_overview(
    _: StaffUser,
    session: SessionDep,
    clock: ClockDep,
    start: FromQuery = None,
    end: ToQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AttendanceOverviewRow]:
    """Ordered by shopper id; `from`/`to` narrow the days counted (default: the campaign)."""
    _check_range(start, end)
    campaign = await campaigns.current(session, clock.now())
    rows = await days_per_shopper(
        session, campaign, start=start, end=end, after_user=_user_cursor(cursor), limit=limit + 1
    )
    users = [user for user, _, _ in rows[:limit]]
    held = await queries.tiers_held(session, users)
    named = await queries.people(session, users)
    items = [
        AttendanceOverviewRow(
            user_id=u,
            email=named[u][0],
            name=named[u][1],
            attendance_days=n,
            last_day=last,
            claimed_tiers=held[u],
        )
        for u, n, last in rows[:limit]
    ]
    next_cursor = str(users[-1]) if len(rows) > limit else None
    return Page[AttendanceOverviewRow](items=items, next_cursor=next_cursor)
