import uuid
from datetime import datetime
from typing import Annotated, Any

from checkin_shared import audit
from checkin_shared.pagination import CursorQuery, LimitQuery
from checkin_shared.security import AdminUser, CurrentUser, admin_area
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Header, Request, status

from reward_service.db import AUDIT
from reward_service.dependencies import ClockDep
from reward_service.idempotency import service as idempotency
from reward_service.points import expiry, grants, service
from reward_service.points.schemas import (
    Expiring,
    MyPoints,
    PointsGrant,
    PointsGranted,
    PointsItem,
)

router = APIRouter(prefix="/rewards", tags=["rewards"])
admin = APIRouter(
    prefix="/rewards/admin", tags=["admin: points"], dependencies=[Depends(admin_area)]
)


@router.get("/me/points", summary="My points balance and ledger, newest first")
async def my_points(
    principal: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> MyPoints:
    """My points balance and its history (credits and debits), newest first, and what
    will expire when (spending takes the points that expire first)."""
    return await points_of(session, principal.user_id, now=clock.now(), limit=limit, cursor=cursor)


async def points_of(
    session: SessionDep, user_id: uuid.UUID, *, now: datetime, limit: int, cursor: str | None
) -> MyPoints:
    entries, next_cursor = await service.ledger_page(session, user_id, cursor=cursor, limit=limit)
    ahead = await expiry.upcoming(session, user_id, now=now)
    return MyPoints(
        balance=await service.balance(session, user_id),
        items=[PointsItem.model_validate(p, from_attributes=True) for p in entries],
        next_cursor=next_cursor,
        expiring=[Expiring(amount=amount, expires_at=at) for at, amount in ahead],
    )


@admin.get("/points", summary="One shopper's points: balance, ledger, what expires when")
async def shopper_points(
    user_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> MyPoints:
    """What the shopper sees at `GET /rewards/me/points`, for staff: the balance, the
    ledger newest first, and what will expire when."""
    return await points_of(session, user_id, now=clock.now(), limit=limit, cursor=cursor)


@admin.post(
    "/points-grants",
    status_code=status.HTTP_201_CREATED,
    response_model=PointsGranted,
    summary="Grant points to shoppers, or take them back",
    responses={
        409: {"description": "insufficient_points"},
        422: {"description": "idempotency_key_reused or invalid_idempotency_key"},
    },
)
async def grant_points(
    body: PointsGrant,
    request: Request,
    admin_user: AdminUser,
    work: SessionDep,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    """One ledger entry per shopper with `reason`; a negative `amount` takes points back
    and never below zero: when any shopper has too few, nothing is taken (409
    `insufficient_points`, naming them). Each entry is told to the shop's webhooks
    (`points.credited`, `points.debited`). An `Idempotency-Key` makes a retry safe."""
    now = clock.now()

    async def grant_now() -> PointsGranted:
        granted = await grants.grant(
            work, user_ids=body.user_ids, amount=body.amount, reason=body.reason, now=now
        )
        await audit.record(
            work,
            AUDIT,
            actor_id=admin_user.user_id,
            action="points.granted",
            target=f"shoppers:{granted}",
            after=body.model_dump(mode="json"),
            at=now,
        )
        return PointsGranted(granted=granted)

    if idempotency_key is None:
        return await grant_now()
    answer = await idempotency.run_once(
        work,
        user_id=admin_user.user_id,
        key=idempotency_key,
        fingerprint=idempotency.request_hash(
            request.method, request.url.path, await request.body()
        ),
        now=now,
        work=grant_now,
        success_status=status.HTTP_201_CREATED,
    )
    return answer.response
