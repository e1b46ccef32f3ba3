"""Fulfilment of claims: the shopper's address, and the staff's queue (support may work
it: these are the only admin writes the `support` role makes)."""

import uuid
from typing import Annotated, Any

from checkin_shared.csv_upload import csv_request_body, require_csv
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import CurrentUser, StaffUser, staff_principal
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from reward_service.catalog import CatalogDep
from reward_service.claims import queries
from reward_service.claims.queries import claim_read
from reward_service.claims.schemas import AdminClaimRead, ClaimRead
from reward_service.claims.shipping import ShippingAddress, Status
from reward_service.dependencies import ClockDep
from reward_service.fulfilment import listing, service, tracking_import
from reward_service.fulfilment.schemas import (
    AdminFulfilmentRead,
    FulfilmentChange,
    TrackingImportResult,
)

router = APIRouter(prefix="/rewards", tags=["rewards"])
staff = APIRouter(
    prefix="/rewards/admin",
    tags=["admin: fulfilment"],
    dependencies=[Depends(staff_principal)],
)

CSV_EXAMPLE = (
    ",".join(listing.CSV_COLUMNS)
    + "\r\na1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d,C-000042,pending,Wireless earphones,"
    'Kim Minji,+82 10-1234-5678,"12 Teheran-ro, Gangnam-gu, Seoul",Apt 301,06234,KR,'
    "kim@example.com,Kim Minji,2026-11-30T00:15:00+00:00,,,,,,\r\n"
)
IMPORT_EXAMPLE = "claim_id,carrier,tracking_number\r\nC-000042,CJ Logistics,6543-2109-8765\r\n"


@router.put(
    "/me/claims/{claim_id}/shipping",
    summary="Give or correct the shipping address of my item claim",
    responses={
        404: {"description": "claim_not_found"},
        409: {"description": "invalid_transition"},
    },
)
async def set_shipping(
    claim_id: uuid.UUID,
    body: ShippingAddress,
    principal: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> ClaimRead:
    """Until the item ships: the claim becomes `pending` (ready to ship) with this address.
    Once shipped, 409 `invalid_transition`. 404 for a claim that is not mine or not an item."""
    locked = await service.set_address(
        session, user_id=principal.user_id, claim_id=claim_id, shipping=body, now=clock.now()
    )
    return claim_read(locked.claim, locked.tier, locked.fulfilment)


@staff.get(
    "/fulfilments",
    summary="Claims to fulfil, with addresses; `Accept: text/csv` for the warehouse",
    response_model=Page[AdminFulfilmentRead],
    responses={200: {"content": {"text/csv": {"example": CSV_EXAMPLE}}}},
)
async def list_fulfilments(
    request: Request,
    _: StaffUser,
    session: SessionDep,
    status: Annotated[Status | None, Query(description="e.g. pending: ready to ship")] = None,
    tier_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Any:
    """Item claims (and cancelled points claims) with the shopper's email, name and
    address, newest first. With `Accept: text/csv` the same filter is streamed oldest first,
    every row, for the warehouse."""
    fulfilment_filter = listing.FulfilmentFilter(status, tier_id)
    if "text/csv" in request.headers.get("accept", ""):
        lines = listing.csv_lines(request.app.state.session_factory, fulfilment_filter)
        return StreamingResponse(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="fulfilments.csv"'},
        )
    items, next_cursor = await listing.page(session, fulfilment_filter, cursor=cursor, limit=limit)
    return Page[AdminFulfilmentRead](items=items, next_cursor=next_cursor)


@staff.post(
    "/claims/{claim_id}/fulfilment",
    summary="Mark a claim shipped or delivered, or cancel it",
    responses={
        404: {"description": "claim_not_found"},
        409: {"description": "invalid_transition or insufficient_points or stock_negative"},
    },
)
async def change_fulfilment(
    claim_id: uuid.UUID,
    body: FulfilmentChange,
    principal: StaffUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> AdminClaimRead:
    """`shipped` (from `pending`, with `carrier` and `tracking_number`) mails the shopper the
    tracking number and tells the shop (`fulfilment.shipped`); `delivered` (from
    `shipped`); `cancelled` (before shipping, with `reason`) puts the item back in stock, or
    takes a points tier's points back, and tells the shopper. Anything else: 409
    `invalid_transition`. Two operators at once: one wins, the other gets the 409."""
    locked = await service.change(
        session, claim_id=claim_id, body=body, actor_id=principal.user_id, now=clock.now()
    )
    if body.status == "cancelled":
        catalog.invalidate()  # an item went back to stock
    read = claim_read(locked.claim, locked.tier, locked.fulfilment)
    email, name = (await queries.people(session, [locked.claim.user_id]))[locked.claim.user_id]
    return AdminClaimRead(**read.model_dump(), user_id=locked.claim.user_id, email=email, name=name)


@staff.post(
    "/fulfilments/import",
    summary="Mark claims shipped from the warehouse's CSV of tracking numbers",
    openapi_extra=csv_request_body(IMPORT_EXAMPLE),
    responses={
        413: {"description": "payload_too_large"},
        415: {"description": "unsupported_media_type"},
        422: {"description": "invalid_csv or too_many_rows"},
    },
)
async def import_tracking(
    request: Request, principal: StaffUser, session: SessionDep, clock: ClockDep
) -> TrackingImportResult:
    """The body is `text/csv` with the header `claim_id,carrier,tracking_number` (a claim by
    its id or its number, `C-000042`), at most 10,000 rows. Each row ships its claim as the
    single change does; rows that cannot be applied come back in `errors` with their line,
    and the rest go through. Sending the same file again changes nothing."""
    require_csv(request)
    return await tracking_import.apply(
        session, await request.body(), actor_id=principal.user_id, now=clock.now()
    )
