import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notification_service.db import Base


class Notification(Base):
    """One message to one recipient over one channel, for one cause. The unique key makes
    a redelivered event or a rerun job a no-op instead of a second message."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint(
            "cause", "recipient", "channel", name="uq_notification_cause_recipient_channel"
        ),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        CheckConstraint("channel IN ('email', 'webhook', 'shop_webhook')", name="channel"),
        Index("ix_notification_webhook_id", "webhook_id", "created_at", "id"),
        Index("ix_notification_due", "next_attempt_at", postgresql_where="status = 'pending'"),
        Index("ix_notification_user_id", "user_id", "created_at"),
        Index("ix_notification_created_at", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    cause: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(2000))
    user_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # A reminder's one-click unsubscribe link (RFC 8058), sent as List-Unsubscribe.
    unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A delivery to one of the shop's webhooks: which, the event's id, what is posted, and
    # what the shop's server last answered.
    webhook_id: Mapped[uuid.UUID | None]
    event_id: Mapped[uuid.UUID | None]
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    response_status: Mapped[int | None] = mapped_column(Integer)
    # Set (on the database's clock) while a sender speaks to the mail server.
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReminderRun(Base):
    """One row per business day the scheduled reminder ran (once across replicas)."""

    __tablename__ = "reminder_run"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queued: Mapped[int] = mapped_column(Integer)
