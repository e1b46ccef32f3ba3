import uuid
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from checkin_shared.db import SessionDep
from checkin_shared.errors import ProblemError
from checkin_shared.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    decode_time_id_cursor,
    encode_cursor,
)
from checkin_shared.security import AdminUser, admin_principal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from reward_service.admin import claims as claim_views
from reward_service.admin.schemas import AttendanceOverviewRow
from reward_service.campaigns import service as campaigns
from reward_service.claims.models import Claim
from reward_service.claims.schemas import AdminClaimRead
from reward_service.projection.models import AttendanceDay
from reward_service.projection.service import in_window

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin",
    tags=["admin: claims and attendance"],
    dependencies=[Depends(admin_principal)],
)
FromQuery = Annotated[date | None, Query(alias="from")]
ToQuery = Annotated[date | None, Query(alias="to")]


def _check_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise ProblemError(422, "invalid_range", "Invalid range", "`from` is after `to`")


@router.get(
    "/claims",
    summary="Claims, newest first; `Accept: text/csv` exports the same filter as CSV",
    responses={200: {"content": {"text/csv": {}}}},
)
async def list_claims(
    request: Request,
    _: AdminUser,
    session: SessionDep,
    tier_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    start: FromQuery = None,
    end: ToQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    _check_range(start, end)
    campaign = await campaigns.find(session)
    zone = ZoneInfo(campaign.timezone if campaign else "UTC")
    claim_filter = claim_views.ClaimFilter(tier_id, user_id, start, end, zone)
    if "text/csv" in request.headers.get("accept", ""):
        lines = claim_views.csv_lines(request.app.state.session_factory, claim_filter)
        return StreamingResponse(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="claims.csv"'},
        )
    after = decode_time_id_cursor(cursor) if cursor else None
    rows = await claim_views.page(session, claim_filter, after=after, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.claimed_at.isoformat(), last.claim_id)
    return Page[AdminClaimRead](items=rows[:limit], next_cursor=next_cursor)


@router.get("/attendance", summary="Shoppers' check-in days (from the projection) and claims")
async def attendance_overview(
    _: AdminUser,
    session: SessionDep,
    start: FromQuery = None,
    end: ToQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AttendanceOverviewRow]:
    """Ordered by shopper id; `from`/`to` narrow the days counted (default: the campaign)."""
    _check_range(start, end)
    campaign = await campaigns.current(session)
    statement = select(AttendanceDay.user_id, func.count(), func.max(AttendanceDay.day)).where(
        in_window(campaign)
    )
    if start:
        statement = statement.where(AttendanceDay.day >= start)
    if end:
        statement = statement.where(AttendanceDay.day <= end)
    if cursor:
        try:
            statement = statement.where(AttendanceDay.user_id > uuid.UUID(cursor))
        except ValueError as exc:
            raise ProblemError(422, "invalid_cursor", "Invalid cursor") from exc
    rows = (
        await session.execute(
            statement.group_by(AttendanceDay.user_id)
            .order_by(AttendanceDay.user_id)
            .limit(limit + 1)
        )
    ).all()
    users = [r[0] for r in rows[:limit]]
    claimed: dict[uuid.UUID, list[uuid.UUID]] = {u: [] for u in users}
    for user, tier in (
        await session.execute(select(Claim.user_id, Claim.tier_id).where(Claim.user_id.in_(users)))
    ).all():
        claimed[user].append(tier)
    items = [
        AttendanceOverviewRow(user_id=u, attendance_days=n, last_day=last, claimed_tiers=claimed[u])
        for u, n, last in rows[:limit]
    ]
    next_cursor = str(users[-1]) if len(rows) > limit else None
    return Page[AttendanceOverviewRow](items=items, next_cursor=next_cursor)
