"""Queueing notifications: rows in the log, sent later by the sender loop. Helpers flush;
the unit of work commits. The unique (cause, recipient, channel) key makes queueing idempotent."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.directory.models import Contact
from notification_service.log.models import Notification
from notification_service.rendering import Rendered


@dataclass(frozen=True)
class Queued:
    """A notification to queue (see `enqueue`)."""

    cause: str
    kind: str
    channel: str
    recipient: str
    message: Rendered
    now: datetime
    user_id: uuid.UUID | None = None
    unsubscribe_url: str | None = None

    def row(self) -> dict[str, Any]:
        email = self.channel == "email"
        return {
            "id": uuid.uuid4(),
            "cause": self.cause,
            "kind": self.kind,
            "channel": self.channel,
            "recipient": self.recipient,
            "user_id": self.user_id,
            "subject": self.message.subject,
            "body_text": self.message.text,
            "body_html": self.message.html if email else None,
            "unsubscribe_url": self.unsubscribe_url if email else None,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": self.now,
            "created_at": self.now,
        }


# Built once: SQLAlchemy reuses its compiled form; many rows go as one executemany.
QUEUE = insert(Notification).on_conflict_do_nothing(
    constraint="uq_notification_cause_recipient_channel"
)
_QUEUED = "notifications_queued"


def note_queued(session: AsyncSession) -> None:
    """Marks the session's work as having queued notifications: once it commits, the
    sender is woken (`queued_in`). Every statement that runs `QUEUE` calls it."""
    session.info[_QUEUED] = True


def queued_in(session: AsyncSession) -> bool:
    """Whether the session's work queued notifications (see `note_queued`)."""
    return bool(session.info.get(_QUEUED, False))


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
    unsubscribe_url: str | None = None,
) -> bool:
    """True when queued; False when this (cause, recipient, channel) exists already."""
    queued = Queued(cause, kind, channel, recipient, message, now, user_id, unsubscribe_url)
    note_queued(session)
    inserted = await session.execute(QUEUE.values(queued.row()).returning(Notification.id))
    return inserted.scalar_one_or_none() is not None


async def enqueue_many(session: AsyncSession, notifications: list[Queued]) -> None:
    """Each one queued unless its (cause, recipient, channel) exists already; one
    statement for all of them."""
    if notifications:
        note_queued(session)
        await session.execute(QUEUE, [n.row() for n in notifications])


NEWEST_FIRST = NewestFirst(Notification.created_at, Notification.id, lambda n: (n.created_at, n.id))


async def page(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    user_id: uuid.UUID | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> tuple[list[Notification], str | None]:
    """Newest first, with the next page's cursor."""
    # the shop's webhook deliveries are listed per webhook, not here
    statement = select(Notification).where(Notification.channel != "shop_webhook")
    if user_id is not None:
        statement = statement.where(Notification.user_id == user_id)
    if kind:
        statement = statement.where(Notification.kind == kind)
    if status:
        statement = statement.where(Notification.status == status)
    return await keyset_page(session, statement, NEWEST_FIRST, cursor=cursor, limit=limit)


async def people(
    session: AsyncSession, users: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str | None, str | None]]:
    """The email and name of the shoppers a page of the log names, from the directory."""
    if not users:
        return {}
    found = await session.execute(
        select(Contact.user_id, Contact.email, Contact.name).where(Contact.user_id.in_(users))
    )
    return {user: (email, name) for user, email, name in found.all()}
