"""Purchase import (idempotent by order id) and a shopper's purchase history."""

import uuid
from datetime import datetime

from checkin_shared.events.contracts import PurchaseRecordedV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db import OUTBOX
from auth_service.purchases.models import Purchase
from auth_service.purchases.schemas import PurchaseImportItem, PurchaseImportResult
from auth_service.users.models import Account
from auth_service.users.service import normalize_email


async def import_purchases(
    session: AsyncSession, items: list[PurchaseImportItem], *, now: datetime
) -> PurchaseImportResult:
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
            "imported_at": now,
        }
        for item in items
    ]
    statement = (
        insert(Purchase)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[Purchase.order_id])
        .returning(Purchase.user_id, Purchase.order_id, Purchase.purchased_at)
    )
    inserted = (await session.execute(statement)).all()
    for user_id, order_id, purchased_at in inserted:
        if user_id is not None:  # otherwise announced when the account is made
            recorded = PurchaseRecordedV1(
                user_id=user_id, order_id=order_id, purchased_at=purchased_at
            )
            await add_event(session, OUTBOX, recorded, occurred_at=now)
    return PurchaseImportResult(
        imported=len(inserted),
        skipped=len(items) - len(inserted),
        unregistered=sum(1 for row in inserted if row.user_id is None),
    )


async def list_purchases(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Purchase]:
    """Newest first."""
    statement = (
        select(Purchase)
        .where(Purchase.user_id == user_id)
        .order_by(Purchase.purchased_at.desc(), Purchase.order_id.desc())
    )
    if after is not None:
        statement = statement.where(
            tuple_(Purchase.purchased_at, Purchase.order_id) < tuple_(*after)
        )
    return list((await session.execute(statement.limit(limit))).scalars().all())
