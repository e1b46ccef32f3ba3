"""Purchases: import (idempotent by order id), linking to accounts, eligibility, a
shopper's history. Helpers flush; the unit of work commits."""

import uuid
from datetime import datetime, timedelta

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import PurchaseRecordedV1
from checkin_shared.events.outbox import add_event
from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db import OUTBOX
from auth_service.purchases import eligibility
from auth_service.purchases.models import Purchase
from auth_service.purchases.schemas import PurchaseImportItem, PurchaseImportResult
from auth_service.users.models import Account
from auth_service.users.service import normalize_email

# A shop's clock may run a little ahead of ours; an order dated later than this is an error.
CLOCK_SKEW = timedelta(minutes=5)


def refuse_future_orders(items: list[PurchaseImportItem], *, now: datetime) -> None:
    """422 `purchased_in_future` naming every such item (nothing is imported then)."""
    late = [i for i, item in enumerate(items) if item.purchased_at > now + CLOCK_SKEW]
    if late:
        raise ProblemError(
            422,
            "purchased_in_future",
            "Purchase dated in the future",
            f"purchased_at is later than now for item(s) {late}; nothing was imported",
            items=late,
        )


async def import_purchases(
    session: AsyncSession, items: list[PurchaseImportItem], *, now: datetime
) -> PurchaseImportResult:
    """New orders are recorded (idempotent by `order_id`); a known paid order that comes
    again `refunded` or `cancelled` is taken back. Eligibility changes are announced."""
    refuse_future_orders(items, now=now)
    emails = {normalize_email(i.email) for i in items}
    accounts = await session.execute(
        select(func.lower(Account.email), Account.id).where(func.lower(Account.email).in_(emails))
    )
    user_ids: dict[str, uuid.UUID] = {email: user_id for email, user_id in accounts.all()}
    rows = [
        {
            "id": uuid.uuid4(),
            "order_id": item.order_id,
            "email": normalize_email(item.email),
            "user_id": user_ids.get(normalize_email(item.email)),
            "amount": item.amount,
            "currency": item.currency,
            "purchased_at": item.purchased_at,
            "status": item.status,
            "imported_at": now,
        }
        for item in items
    ]
    statement = (
        insert(Purchase)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[Purchase.order_id])
        .returning(Purchase.user_id, Purchase.order_id, Purchase.purchased_at, Purchase.status)
    )
    inserted = (await session.execute(statement)).all()
    for user_id, order_id, purchased_at, status in inserted:
        if user_id is not None and status == "paid":  # else announced when the account is made
            recorded = PurchaseRecordedV1(
                user_id=user_id, order_id=order_id, purchased_at=purchased_at
            )
            await add_event(session, OUTBOX, recorded, occurred_at=now)
    new = {row.order_id for row in inserted}
    taken_back = await take_back(
        session, [i for i in items if i.order_id not in new and i.status != "paid"]
    )
    await eligibility.announce_changes(
        session, [row.user_id for row in inserted] + taken_back, now=now
    )
    return PurchaseImportResult(
        imported=len(inserted) + len(taken_back),
        skipped=len(items) - len(inserted) - len(taken_back),
        unregistered=sum(1 for row in inserted if row.user_id is None),
    )


async def take_back(
    session: AsyncSession, items: list[PurchaseImportItem]
) -> list[uuid.UUID | None]:
    """Known paid orders refunded or cancelled (final: a second time changes nothing);
    the shoppers they belonged to."""
    owners: list[uuid.UUID | None] = []
    for status in ("refunded", "cancelled"):
        orders = sorted({i.order_id for i in items if i.status == status})
        if orders:
            changed = await session.execute(
                update(Purchase)
                .where(Purchase.order_id.in_(orders), Purchase.status == "paid")
                .values(status=status)
                .returning(Purchase.user_id)
            )
            owners += list(changed.scalars())
    return owners


NEWEST_FIRST = NewestFirst(
    Purchase.purchased_at, Purchase.order_id, lambda p: (p.purchased_at, p.order_id), str
)


async def list_purchases(
    session: AsyncSession, *, user_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[list[Purchase], str | None]:
    """Newest first, with the next page's cursor."""
    statement = select(Purchase).where(Purchase.user_id == user_id)
    return await keyset_page(session, statement, NEWEST_FIRST, cursor=cursor, limit=limit)


async def link_to_account(session: AsyncSession, account: Account, *, now: datetime) -> None:
    """Give a new account the orders imported under its email before it existed."""
    linked = await session.execute(
        update(Purchase)
        .where(Purchase.email == account.email, Purchase.user_id.is_(None))
        .values(user_id=account.id)
        .returning(Purchase.order_id, Purchase.purchased_at, Purchase.status)
    )
    for order_id, purchased_at, status in linked.all():
        if status != "paid":
            continue
        recorded = PurchaseRecordedV1(
            user_id=account.id, order_id=order_id, purchased_at=purchased_at
        )
        await add_event(session, OUTBOX, recorded, occurred_at=now)
    await eligibility.announce_changes(session, [account.id], now=now)
