import uuid
from typing import Annotated

from checkin_shared.direct_route import DirectRoute, json_answer
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import CurrentUser
from checkin_shared.tokens import Principal
from checkin_shared.unit_of_work import (
    ReadsDep,
    SessionDep,
    UnitOfWork,
    counted,
    outcome_only,
    reads_of,
    session_work,
    unit_of_work,
)
from fastapi import APIRouter, Header, Query, Request, Response, status

from reward_service.catalog import CatalogCache, CatalogDep, published
from reward_service.claims import context, progress, queries, service
from reward_service.claims.metrics import count_claim
from reward_service.claims.overview_json import OverviewJson
from reward_service.claims.overview_schemas import MyProgress, RewardsOverview
from reward_service.claims.rules import business_day
from reward_service.claims.schemas import ClaimCreated, ClaimRead
from reward_service.claims.shipping import ClaimBody
from reward_service.dependencies import ClockDep
from reward_service.idempotency import service as idempotency

router = APIRouter(prefix="/rewards", tags=["rewards"])
# The hottest read and the claim (a storm's path): DirectRoutes, without FastAPI's dependency
# solving (checkin_shared/direct_route.py).
hot = APIRouter(prefix="/rewards", tags=["rewards"], route_class=DirectRoute)


@hot.get(
    "",
    response_model=RewardsOverview,
    summary="The campaign and its tiers, with my status for each",
    responses={404: {"description": "no_campaign or campaign_not_found"}},
)
async def overview(
    request: Request,
    principal: CurrentUser,
    campaign_id: Annotated[
        uuid.UUID | None,
        Query(description="Another published campaign (say, `earlier_campaign`'s id)"),
    ] = None,
) -> Response:
    """The campaign (the running one, else the next, else the last; or `campaign_id`) and
    every tier with my status: `locked` (with `days_remaining`), `claimable`
    (`claimable_count` times: more than once only for `every_n_days`), `claimed` or
    `out_of_stock`. A tier's `rule` says how its days count. `earlier_campaign`: the one
    that ended before it began, whose rewards may still wait to be claimed."""
    reads, now = reads_of(request), request.app.state.clock.now()
    if campaign_id is None:
        shown, answers = await request.app.state.catalog.get(reads, now), request.app.state.overview
    else:
        shown, answers = await published(reads, campaign_id, now), OverviewJson()
    today = business_day(now, shown.campaign.timezone)
    days, held = await queries.days_and_claims(reads, shown.campaign, principal.user_id, today)
    return Response(answers.answer(shown, days, held), media_type="application/json")


@router.get("/me", summary="My progress: days, tier reached, next tier, points")
async def my_progress(
    principal: CurrentUser, reads: ReadsDep, catalog: CatalogDep, clock: ClockDep
) -> MyProgress:
    """My check-in days in the campaign, the highest tier I reached, the next one and how
    many days it needs, and my points balance."""
    shown = await catalog.get(reads, clock.now())
    have, balance = await queries.days_and_balance(reads, shown.campaign, principal.user_id)
    current, upcoming = progress.progress(shown.tiers, have)
    return MyProgress(
        attendance_days=have,
        current_tier=current,
        next_tier=upcoming,
        days_to_next=upcoming.required_days - have if upcoming else None,
        points_balance=balance,
    )


@hot.post(
    "/{tier_id}/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimCreated,
    summary="Claim a tier (send an Idempotency-Key to retry safely)",
    responses={
        403: {"description": "not_enough_days or not_eligible"},
        404: {"description": "tier_not_found"},
        409: {
            "description": "already_claimed or out_of_stock or tier_inactive or daily_limit_reached"
        },
        422: {
            "description": "idempotency_key_reused or invalid_idempotency_key or validation_error"
        },
    },
)
async def claim(
    request: Request,
    principal: CurrentUser,
    tier_id: uuid.UUID,
    body: ClaimBody | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Claims a tier my days have earned by its rule: once per shopper and tier (an
    `every_n_days` tier once per N days), never beyond its stock or its daily limit.
    A points tier credits its points at once; an item tier's claim may carry the shipping
    address (else it waits for one: `PUT /rewards/me/claims/{id}/shipping`). Send an
    `Idempotency-Key` to retry safely: the same key and body answer the first result again."""
    if idempotency_key is None:
        async with counted(request, count_claim, outcome_only("granted")):
            answer = await _claim_at_once(request, principal, tier_id, body)
        return answer
    work = session_work(request.app.state.session_factory, success="granted")
    async with counted(request, count_claim, work) as opened:
        answer = await _claim_once_per_key(
            request, opened, principal, tier_id, body, idempotency_key
        )
    return answer


async def _claim_at_once(
    request: Request, principal: Principal, tier_id: uuid.UUID, body: ClaimBody | None
) -> Response:
    """Read before any transaction: a refusal (most of a storm) then needs none, and a
    session is opened (its connection taken only after this read has given its own back)
    for a tier with a daily limit only; a tier without one is granted with its other claims
    of the moment by one statement, with no transaction."""
    catalog: CatalogCache = request.app.state.catalog
    now = request.app.state.clock.now()
    shipping = body.shipping if body else None
    early = await context.read_early(
        reads_of(request),
        user_id=principal.user_id,
        token_eligible=principal.eligible,
        tier_id=tier_id,
        now=now,
    )
    tier = service.claimable(early)
    if tier.daily_limit is not None:
        async with unit_of_work(request.app.state.session_factory) as session:
            created = await service.claim(
                session,
                user_id=principal.user_id,
                token_eligible=principal.eligible,
                tier_id=tier_id,
                now=now,
                shipping=shipping,
                read_before=tier,
            )
    else:
        created = await service.claim_alone(
            request.app.state.grant_lines,
            tier,
            user_id=principal.user_id,
            now=now,
            shipping=shipping,
        )
    catalog.invalidate()  # the tier's stock changed
    return json_answer(created, status.HTTP_201_CREATED)


async def _claim_once_per_key(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    tier_id: uuid.UUID,
    body: ClaimBody | None,
    idempotency_key: str,
) -> Response:
    """The claim in the request's transaction, with its answer kept under the key."""
    catalog: CatalogCache = request.app.state.catalog
    now = request.app.state.clock.now()

    async def claim_now() -> ClaimCreated:
        created = await service.claim(
            work.session,
            user_id=principal.user_id,
            token_eligible=principal.eligible,
            tier_id=tier_id,
            now=now,
            shipping=body.shipping if body else None,
        )
        catalog.invalidate()  # the tier's stock changed
        return created

    answer = await idempotency.run_once(
        work.session,
        user_id=principal.user_id,
        key=idempotency_key,
        fingerprint=idempotency.request_hash(
            request.method, request.url.path, await request.body()
        ),
        now=now,
        work=claim_now,
        success_status=status.HTTP_201_CREATED,
    )
    work.outcome = answer.outcome or work.outcome
    return answer.response


@router.get("/me/claims", summary="My claims, newest first")
async def my_claims(
    principal: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[ClaimRead]:
    """The tiers I claimed, newest first, each with its claim number."""
    items, next_cursor = await queries.my_claims_page(
        session, principal.user_id, cursor=cursor, limit=limit
    )
    return Page[ClaimRead](items=items, next_cursor=next_cursor)
