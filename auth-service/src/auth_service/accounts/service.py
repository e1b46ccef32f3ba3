"""What the account routes combine: an account and its purchases."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.purchases import eligibility
from auth_service.purchases import service as purchases
from auth_service.purchases.models import Purchase
from auth_service.users import service as users
from auth_service.users.models import Account, IdentityProvider

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
    """Newest first; each account with its eligibility, matching email or name (or, for
    a query that is an id, exactly that account)."""
    eligible = eligibility.has_paid_purchase(Account.id).label("eligible")
    statement = select(Account, eligible)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        matches: list[ColumnElement[bool]] = [
            Account.email.ilike(pattern),
            Account.name.ilike(pattern),
        ]
        as_id = _as_uuid(query)
        if as_id is not None:
            matches.append(Account.id == as_id)
        statement = statement.where(or_(*matches))
    rows, next_cursor = await keyset_page(
        session, statement, NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [(account, bool(flag)) for account, flag in rows], next_cursor


async def find(session: AsyncSession, user_id: uuid.UUID) -> Account | None:
    return await session.get(Account, user_id)


async def eligible(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return await eligibility.is_eligible(session, user_id)


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


async def with_purchases(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[Account, bool, IdentityProvider | None, list[Purchase]] | None:
    """An account for the admin's view: its eligibility, sign-in provider and orders."""
    account = await session.get(Account, user_id)
    if account is None:
        return None
    provider = (
        await session.get(IdentityProvider, account.identity_provider_id)
        if account.identity_provider_id
        else None
    )
    orders = (
        await session.execute(
            select(Purchase)
            .where(Purchase.user_id == user_id)
            .order_by(Purchase.purchased_at.desc(), Purchase.order_id)
            .limit(100)
        )
    ).scalars()
    return account, await eligibility.is_eligible(session, user_id), provider, list(orders)


async def change_role(
    session: AsyncSession, user_id: uuid.UUID, *, role: str, actor_id: uuid.UUID
) -> tuple[Account, str] | None:
    """Gives the account `role` (locked, so two admins changing it at once queue); returns
    it with its role before, or None when there is no such account. An admin never changes
    their own role: the last admin cannot lock everyone out."""
    if user_id == actor_id:
        raise ProblemError(
            409, "cannot_change_own_role", "Cannot change own role", "Ask another admin"
        )
    account = await session.get(Account, user_id, with_for_update=True)
    if account is None:
        return None
    before = account.role
    account.role = role
    await session.flush()
    return account, before
