"""Queueing notifications: rows in the log, sent later by the sender loop. Helpers flush;
callers commit. The unique (cause, recipient, channel) key makes queueing idempotent."""

import uuid
from datetime import datetime

from checkin_shared.pagination import encode_cursor
from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.log.models import Notification
from notification_service.log.templates import Rendered


async def enqueue(
    session: AsyncSession,
    *,
    cause: str,
    kind: str,
    channel: str,
    recipient: str,
    message: Rendered,
    now: datetime,
    user_id: uuid.UUID | None = None,
) -> bool:
    """True when queued; False when this (cause, recipient, channel) exists already."""
    inserted = await session.execute(
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            cause=cause,
            kind=kind,
            channel=channel,
            recipient=recipient,
            user_id=user_id,
            subject=message.subject,
            body_text=message.text,
            body_html=message.html if channel == "email" else None,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(constraint="uq_notification_cause_recipient_channel")
        .returning(Notification.id)
    )
    return inserted.scalar_one_or_none() is not None


async def page(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
    user_id: uuid.UUID | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> tuple[list[Notification], str | None]:
    """Newest first, with the next page's cursor."""
    statement = select(Notification).order_by(
        Notification.created_at.desc(), Notification.id.desc()
    )
    if user_id is not None:
        statement = statement.where(Notification.user_id == user_id)
    if kind:
        statement = statement.where(Notification.kind == kind)
    if status:
        statement = statement.where(Notification.status == status)
    if after:
        statement = statement.where(
            tuple_(Notification.created_at, Notification.id) < tuple_(*after)
        )
    rows = list((await session.execute(statement.limit(limit + 1))).scalars())
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.created_at.isoformat(), last.id)
    return rows[:limit], next_cursor
