import uuid

from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import AdminUser, StaffUser, admin_area
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, status

from reward_service.campaigns import service as campaigns
from reward_service.catalog import CatalogDep
from reward_service.dependencies import ClockDep
from reward_service.stock import service
from reward_service.stock.schemas import (
    StockAdjusted,
    StockAdjustmentCreate,
    StockLedgerEntry,
    StockList,
    StockStatus,
)
from reward_service.tiers import service as tiers

# The admin check runs first, before any lookup: a shopper learns nothing but 403.
router = APIRouter(
    prefix="/rewards/admin",
    tags=["admin: tiers and stock"],
    dependencies=[Depends(admin_area)],
)


@router.post(
    "/tiers/{tier_id}/stock-adjustments",
    status_code=status.HTTP_201_CREATED,
    summary="Add or remove stock (audited)",
    responses={404: {"description": "tier_not_found"}, 409: {"description": "stock_negative"}},
)
async def adjust_stock(
    tier_id: uuid.UUID,
    body: StockAdjustmentCreate,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
) -> StockAdjusted:
    """Adds (positive `delta`) or removes stock, with a reason, recorded in the stock ledger.
    Stock never goes below 0 (409 `insufficient_stock`); crossing the low-stock threshold
    alerts the admins."""
    stock = await service.adjust(
        session,
        tier_id=tier_id,
        delta=body.delta,
        reason=body.reason,
        admin_id=admin.user_id,
        now=clock.now(),
    )
    catalog.invalidate()
    return StockAdjusted(stock=stock)


@router.get(
    "/tiers/{tier_id}/stock-adjustments",
    summary="A tier's stock ledger: who changed the stock, by how much and why",
    responses={404: {"description": "tier_not_found"}},
)
async def stock_ledger(
    tier_id: uuid.UUID,
    _: StaffUser,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[StockLedgerEntry]:
    """Every stock change by an admin (and every item a cancelled claim put back), newest
    first, with the stock after it and the admin's email."""
    rows, next_cursor = await service.ledger_page(session, tier_id, cursor=cursor, limit=limit)
    items = [
        StockLedgerEntry(
            delta=entry.delta,
            stock_after=entry.stock_after,
            reason=entry.reason,
            admin_id=entry.admin_id,
            admin_email=email,
            created_at=entry.created_at,
        )
        for entry, email in rows
    ]
    return Page[StockLedgerEntry](items=items, next_cursor=next_cursor)


@router.get("/stock", summary="Stock of every tier, with the low-stock flag")
async def stock_status(_: StaffUser, session: SessionDep, clock: ClockDep) -> StockList:
    """Each tier's stock, and whether it is at or under its low-stock threshold."""
    campaign = await campaigns.current(session, clock.now())
    return StockList(
        items=[
            StockStatus(
                tier_id=t.id,
                name=t.name,
                stock=t.stock,
                low_stock_threshold=t.low_stock_threshold,
                low=t.stock <= t.low_stock_threshold,
            )
            for t in await tiers.list_tiers(session, campaign)
        ]
    )
