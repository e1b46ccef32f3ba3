import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Index, Integer, String, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from auth_service.db import Base


class Account(Base):
    """A shopper or an admin. Emails are unique case-insensitively."""

    __tablename__ = "account"
    __table_args__ = (
        Index("uq_account_email_lower", func.lower(text("email")), unique=True),
        CheckConstraint("role IN ('shopper', 'admin')", name="role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="shopper")
    # The language chosen at sign-up (body or Accept-Language), for mails; None: the shop's.
    locale: Mapped[str | None] = mapped_column(String(8))
    # Eligibility as last announced (user.eligibility_changed.v1), and how many changes so far.
    eligible: Mapped[bool] = mapped_column(Boolean, server_default=false())
    eligibility_version: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
