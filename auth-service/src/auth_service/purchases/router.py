from checkin_shared import audit
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import AdminUser, CurrentUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter

from auth_service.db import AUDIT
from auth_service.dependencies import ClockDep
from auth_service.purchases import service
from auth_service.purchases.schemas import PurchaseImport, PurchaseImportResult, PurchaseRead

router = APIRouter(prefix="/auth", tags=["purchases"])


@router.get("/me/purchases", summary="The signed-in shopper's purchases, newest first")
async def my_purchases(
    principal: CurrentUser,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[PurchaseRead]:
    """The shop's orders recorded for me (what makes me eligible), newest first."""
    rows, next_cursor = await service.list_purchases(
        session, user_id=principal.user_id, cursor=cursor, limit=limit
    )
    items = [PurchaseRead.model_validate(p, from_attributes=True) for p in rows]
    return Page[PurchaseRead](items=items, next_cursor=next_cursor)


@router.post("/admin/purchases", summary="Import shop orders (idempotent by order id)")
async def import_purchases(
    body: PurchaseImport, admin: AdminUser, session: SessionDep, clock: ClockDep
) -> PurchaseImportResult:
    """Records up to 1,000 orders at once, idempotent by `order_id` (an order seen before is
    counted in `skipped`). An order whose email has no account yet is kept and linked when
    that shopper registers (`unregistered`). Dates in the future are refused."""
    result = await service.import_purchases(session, body.items, now=clock.now())
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="purchases.imported",
        target="purchases",
        after={"orders": [i.order_id for i in body.items], **result.model_dump()},
        at=clock.now(),
    )
    return result
