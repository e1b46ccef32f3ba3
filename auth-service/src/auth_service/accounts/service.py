"""What the account routes combine: an account and its purchases."""

import uuid
from datetime import datetime

from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.purchases import eligibility
from auth_service.purchases import service as purchases
from auth_service.users import service as users
from auth_service.users.models import Account

NEWEST_FIRST = NewestFirst(
    Account.created_at, Account.id, lambda row: (row[0].created_at, row[0].id)
)


async def register(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password_hash: str | None,
    role: str,
    now: datetime,
    locale: str | None = None,
    identity_provider_id: uuid.UUID | None = None,
    subject: str | None = None,
) -> Account:
    """A new account, with the orders already imported under its email."""
    account = await users.create_account(
        session,
        email=email,
        name=name,
        password_hash=password_hash,
        role=role,
        now=now,
        locale=locale,
        identity_provider_id=identity_provider_id,
        subject=subject,
    )
    await purchases.link_to_account(session, account, now=now)
    return account


async def search(
    session: AsyncSession, *, query: str | None, cursor: str | None, limit: int
) -> tuple[list[tuple[Account, bool]], str | None]:
    """Newest first; each account with its eligibility, matching email or name."""
    eligible = eligibility.has_paid_purchase(Account.id).label("eligible")
    statement = select(Account, eligible)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        statement = statement.where(or_(Account.email.ilike(pattern), Account.name.ilike(pattern)))
    rows, next_cursor = await keyset_page(
        session, statement, NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [(account, bool(flag)) for account, flag in rows], next_cursor


async def find(session: AsyncSession, user_id: uuid.UUID) -> Account | None:
    return await session.get(Account, user_id)


async def eligible(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return await eligibility.is_eligible(session, user_id)
