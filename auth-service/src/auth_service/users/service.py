"""Accounts: creation and lookup by email. Helpers flush; the unit of work commits."""

import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import UserRegisteredV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db import OUTBOX
from auth_service.users.models import Account


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_account(
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
    """Insert under the case-insensitive unique key; 409 `email_taken` when it exists."""
    statement = (
        insert(Account)
        .values(
            id=uuid.uuid4(),
            email=normalize_email(email),
            name=name,
            password_hash=password_hash,
            role=role,
            locale=locale,
            identity_provider_id=identity_provider_id,
            subject=subject,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Account)
    )
    account = (await session.execute(statement)).scalar_one_or_none()
    if account is None:
        raise ProblemError(409, "email_taken", "Email taken", "An account with this email exists")
    registered = UserRegisteredV1(
        user_id=account.id, email=account.email, name=account.name, locale=account.locale
    )
    await add_event(session, OUTBOX, registered, occurred_at=now)
    return account


async def find_by_email(session: AsyncSession, email: str) -> Account | None:
    statement = select(Account).where(func.lower(Account.email) == normalize_email(email))
    return (await session.execute(statement)).scalar_one_or_none()
