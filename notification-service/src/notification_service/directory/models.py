import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, String, true
from sqlalchemy.orm import Mapped, mapped_column

from notification_service.db import Base


class Contact(Base):
    """What this service knows of a shopper, assembled from events."""

    __tablename__ = "contact"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(100))
    eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    # The version of the last user.eligibility_changed.v1 applied (0: none yet)
    eligibility_version: Mapped[int] = mapped_column(Integer, server_default="0")
    reminders: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # The language of the shopper's mails: from sign-up, or set by them; else the shop's.
    locale: Mapped[str | None] = mapped_column(String(8))
    last_check_in: Mapped[date | None] = mapped_column(Date)
    # When the email and name were last set, by the user event that set them.
    profile_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertRecipient(Base):
    """Who is emailed when a reward runs low."""

    __tablename__ = "alert_recipient"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LinkSecret(Base):
    """The key that signs links in mails (one-click unsubscribe): made once, on the first
    start, so every replica and every restart checks the links the others made."""

    __tablename__ = "link_secret"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
