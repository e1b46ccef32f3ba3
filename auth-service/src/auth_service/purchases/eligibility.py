"""A shopper is eligible while one of their purchases is paid (not refunded, not
cancelled). Every change of it, or of their paid purchases' newest time and total
(campaigns with eligibility rules decide from those), is announced
(user.eligibility_changed.v1) in the transaction that made it, so the attendance and
reward services decide from their own copy within moments, whatever token the shopper
holds."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from checkin_shared.events.contracts import UserEligibilityChangedV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db import OUTBOX
from auth_service.purchases.models import Purchase
from auth_service.users.models import Account


def has_paid_purchase(user_id: Any) -> ColumnElement[bool]:
    """Eligibility as SQL. `user_id`: an id, or the account id column of an enclosing query."""
    return exists().where(Purchase.user_id == user_id, Purchase.status == "paid")


def paid_facts(user_id: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The newest paid purchase's time and the paid purchases' total, as SQL (amounts are
    summed as they are: a shop with one currency, as campaigns' `min_total_amount` says)."""
    paid = (Purchase.user_id == user_id) & (Purchase.status == "paid")
    newest = select(func.max(Purchase.purchased_at)).where(paid).scalar_subquery()
    total = select(func.coalesce(func.sum(Purchase.amount), 0)).where(paid).scalar_subquery()
    return newest, total


async def is_eligible(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return bool((await session.execute(select(has_paid_purchase(user_id)))).scalar())


async def announce_changes(
    session: AsyncSession, user_ids: Iterable[uuid.UUID | None], *, now: datetime
) -> int:
    """After purchases of these shoppers were written: record and announce each one whose
    eligibility (or newest paid purchase, or paid total) changed. The accounts are locked
    first (in id order, no deadlock), so the check below sees every purchase a concurrent
    writer committed before us."""
    ids = sorted({u for u in user_ids if u is not None})
    if not ids:
        return 0
    # FOR NO KEY UPDATE, not FOR UPDATE: inserting a purchase already holds FOR KEY SHARE
    # on its account (the foreign key), and two writers each holding that while asking for
    # FOR UPDATE deadlock; NO KEY UPDATE does not conflict with KEY SHARE.
    await session.execute(
        select(Account.id)
        .where(Account.id.in_(ids))
        .order_by(Account.id)
        .with_for_update(key_share=True)
    )
    last_paid, paid_total = paid_facts(Account.id)
    changed = await session.execute(
        update(Account)
        .where(
            Account.id.in_(ids),
            (Account.eligible != has_paid_purchase(Account.id))
            | Account.last_paid_at.is_distinct_from(last_paid)
            | (Account.paid_total != paid_total),
        )
        .values(
            eligible=has_paid_purchase(Account.id),
            last_paid_at=last_paid,
            paid_total=paid_total,
            eligibility_version=Account.eligibility_version + 1,
        )
        .returning(
            Account.id,
            Account.eligible,
            Account.eligibility_version,
            Account.last_paid_at,
            Account.paid_total,
        )
    )
    rows = changed.all()
    for user_id, eligible, version, last_paid_at, total in rows:
        event = UserEligibilityChangedV1(
            user_id=user_id,
            eligible=eligible,
            version=version,
            last_paid_at=last_paid_at,
            paid_total=total,
        )
        await add_event(session, OUTBOX, event, occurred_at=now)
    return len(rows)
