import uuid
from typing import Annotated, Any

from checkin_shared.db import SessionDep
from checkin_shared.errors import ProblemError
from checkin_shared.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    decode_time_id_cursor,
    encode_cursor,
)
from checkin_shared.security import CurrentUser
from fastapi import APIRouter, Header, Request, status
from sqlalchemy import select, tuple_

from reward_service.campaigns import service as campaigns
from reward_service.campaigns.schemas import CampaignRead
from reward_service.claims import idempotency
from reward_service.claims import service as claims
from reward_service.claims.metrics import count_claim
from reward_service.claims.models import Claim, PointsEntry
from reward_service.claims.schemas import ClaimCreated, ClaimRead
from reward_service.dependencies import ClockDep
from reward_service.projection.service import attendance_days
from reward_service.shopper import service
from reward_service.shopper.schemas import MyPoints, MyProgress, PointsItem, RewardsOverview
from reward_service.tiers import service as tiers
from reward_service.tiers.models import Tier

router = APIRouter(prefix="/rewards", tags=["rewards"])


@router.get("", summary="The campaign and its tiers, with my status for each")
async def overview(principal: CurrentUser, session: SessionDep) -> RewardsOverview:
    campaign = await campaigns.current(session)
    all_tiers = await tiers.list_tiers(session, campaign)
    have = await attendance_days(session, campaign, principal.user_id)
    claimed = await service.claimed_tier_ids(session, principal.user_id)
    return RewardsOverview(
        campaign=CampaignRead.model_validate(campaign, from_attributes=True),
        tiers=[service.tier_view(t, have=have, claimed=claimed) for t in all_tiers],
    )


@router.get("/me", summary="My progress: days, tier reached, next tier, points")
async def my_progress(principal: CurrentUser, session: SessionDep) -> MyProgress:
    campaign = await campaigns.current(session)
    all_tiers = await tiers.list_tiers(session, campaign)
    have = await attendance_days(session, campaign, principal.user_id)
    current, upcoming = service.progress(all_tiers, have)
    return MyProgress(
        attendance_days=have,
        current_tier=current,
        next_tier=upcoming,
        days_to_next=upcoming.required_days - have if upcoming else None,
        points_balance=await service.points_balance(session, principal.user_id),
    )


@router.post(
    "/{tier_id}/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimCreated,
    summary="Claim a tier (send an Idempotency-Key to retry safely)",
    responses={
        403: {"description": "not_enough_days"},
        404: {"description": "tier_not_found"},
        409: {"description": "already_claimed or out_of_stock"},
        422: {"description": "idempotency_key_reused or invalid_idempotency_key"},
    },
)
async def claim(
    tier_id: uuid.UUID,
    request: Request,
    principal: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    now = clock.now()
    outcome = "replayed"  # unless the work runs below

    async def work() -> ClaimCreated:
        nonlocal outcome
        try:
            created = await claims.claim(
                session, user_id=principal.user_id, tier_id=tier_id, now=now
            )
        except ProblemError as refused:
            outcome = refused.code
            raise
        outcome = "granted"
        return created

    try:
        if idempotency_key is None:
            answer: Any = await work()
            await session.commit()
        else:
            body = await request.body()
            answer = await idempotency.run_once(
                session,
                user_id=principal.user_id,
                key=idempotency_key,
                fingerprint=idempotency.request_hash(request.method, request.url.path, body),
                now=now,
                work=work,
                success_status=status.HTTP_201_CREATED,
            )
    except ProblemError as refused:
        count_claim(tier_id, refused.code)
        raise
    count_claim(tier_id, outcome)
    return answer


@router.get("/me/claims", summary="My claims, newest first")
async def my_claims(
    principal: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[ClaimRead]:
    statement = (
        select(Claim, Tier)
        .join(Tier, Tier.id == Claim.tier_id)
        .where(Claim.user_id == principal.user_id)
        .order_by(Claim.claimed_at.desc(), Claim.id.desc())
    )
    if cursor:
        at, claim_id = decode_time_id_cursor(cursor)
        statement = statement.where(tuple_(Claim.claimed_at, Claim.id) < tuple_(at, claim_id))
    rows = (await session.execute(statement.limit(limit + 1))).all()
    items = [
        ClaimRead(
            claim_id=c.id,
            tier_id=t.id,
            tier_name=t.name,
            kind=t.kind,
            points=t.points,
            claimed_at=c.claimed_at,
        )
        for c, t in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.claimed_at.isoformat(), last.id)
    return Page[ClaimRead](items=items, next_cursor=next_cursor)


@router.get("/me/points", summary="My points balance and ledger, newest first")
async def my_points(
    principal: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> MyPoints:
    statement = (
        select(PointsEntry)
        .where(PointsEntry.user_id == principal.user_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
    )
    if cursor:
        at, entry_id = decode_time_id_cursor(cursor)
        statement = statement.where(
            tuple_(PointsEntry.created_at, PointsEntry.id) < tuple_(at, entry_id)
        )
    rows = list((await session.execute(statement.limit(limit + 1))).scalars())
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.created_at.isoformat(), last.id)
    return MyPoints(
        balance=await service.points_balance(session, principal.user_id),
        items=[PointsItem.model_validate(p, from_attributes=True) for p in rows[:limit]],
        next_cursor=next_cursor,
    )
