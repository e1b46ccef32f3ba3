"""Accounts: registration, lookup by email, eligibility. Helpers flush; callers commit."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import PurchaseRecordedV1, UserRegisteredV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import exists, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db import OUTBOX
from auth_service.purchases.models import Purchase
from auth_service.users.models import Account


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password_hash: str,
    role: str,
    now: datetime,
) -> Account:
    """Insert under the case-insensitive unique key; 409 `email_taken` when it exists."""
    statement = (
        insert(Account)
        .values(
            id=uuid.uuid4(),
            email=normalize_email(email),
            name=name,
            password_hash=password_hash,
            role=role,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Account)
    )
    account = (await session.execute(statement)).scalar_one_or_none()
    if account is None:
        raise ProblemError(409, "email_taken", "Email taken", "An account with this email exists")
    registered = UserRegisteredV1(user_id=account.id, email=account.email, name=account.name)
    await add_event(session, OUTBOX, registered, occurred_at=now)
    linked = await session.execute(
        update(Purchase)
        .where(Purchase.email == account.email, Purchase.user_id.is_(None))
        .values(user_id=account.id)
        .returning(Purchase.order_id, Purchase.purchased_at)
    )
    for order_id, purchased_at in linked.all():
        recorded = PurchaseRecordedV1(
            user_id=account.id, order_id=order_id, purchased_at=purchased_at
        )
        await add_event(session, OUTBOX, recorded, occurred_at=now)
    return account


async def find_by_email(session: AsyncSession, email: str) -> Account | None:
    statement = select(Account).where(func.lower(Account.email) == normalize_email(email))
    return (await session.execute(statement)).scalar_one_or_none()


async def is_eligible(session: AsyncSession, user_id: uuid.UUID) -> bool:
    statement = select(exists().where(Purchase.user_id == user_id))
    return bool((await session.execute(statement)).scalar())


async def search_accounts(
    session: AsyncSession,
    *,
    query: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Account, bool]]:
    """Newest first; each account with its eligibility, matching email or name."""
    eligible = exists().where(Purchase.user_id == Account.id).label("eligible")
    statement = select(Account, eligible).order_by(Account.created_at.desc(), Account.id.desc())
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        statement = statement.where(or_(Account.email.ilike(pattern), Account.name.ilike(pattern)))
    if after is not None:
        statement = statement.where(tuple_(Account.created_at, Account.id) < tuple_(*after))
    rows = await session.execute(statement.limit(limit))
    return [(account, bool(flag)) for account, flag in rows.all()]
