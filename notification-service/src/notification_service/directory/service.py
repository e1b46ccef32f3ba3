"""Shoppers' reminder preference and the alert recipients. Helpers flush; callers commit."""

import uuid
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.directory.models import AlertRecipient, Contact


async def set_preferences(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    reminders: bool,
    locale: str | None = None,
    now: datetime,
) -> Contact:
    """Works before any event about the shopper arrived (the contact is made then); a
    `locale` of None leaves the language as it is."""
    changes: dict[str, object] = {"reminders": reminders, "updated_at": now}
    if locale is not None:
        changes["locale"] = locale
    contact: Contact | None = await session.scalar(
        insert(Contact)
        .values(user_id=user_id, **changes)
        .on_conflict_do_update(index_elements=[Contact.user_id], set_=changes)
        .returning(Contact)
    )
    assert contact is not None
    return contact


async def find(session: AsyncSession, user_id: uuid.UUID) -> Contact | None:
    return await session.get(Contact, user_id)


async def recipients(session: AsyncSession) -> list[str]:
    rows = await session.execute(select(AlertRecipient.email).order_by(AlertRecipient.email))
    return list(rows.scalars())


async def replace_recipients(
    session: AsyncSession, emails: list[str], *, now: datetime
) -> list[str]:
    unique = sorted({e.lower() for e in emails})
    await session.execute(delete(AlertRecipient))
    session.add_all(AlertRecipient(email=e, created_at=now) for e in unique)
    await session.flush()
    return unique


async def seed_recipients(session: AsyncSession, emails: list[str], *, now: datetime) -> None:
    """The configured recipients, only while none exist (admins manage them after)."""
    if emails and not await session.scalar(select(exists().select_from(AlertRecipient))):
        await replace_recipients(session, emails, now=now)
