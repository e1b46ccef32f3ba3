import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from auth_service.db import Base


class Account(Base):
    """A shopper, a member of the shop's customer service (`support`) or an admin. Emails
    are unique case-insensitively."""

    __tablename__ = "account"
    __table_args__ = (
        Index("uq_account_email_lower", func.lower(text("email")), unique=True),
        CheckConstraint("role IN ('shopper', 'support', 'admin')", name="role"),
        UniqueConstraint("identity_provider_id", "subject", name="uq_account_provider_subject"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None: the shop's sign-in
    role: Mapped[str] = mapped_column(String(16), default="shopper")
    # The language chosen at sign-up (body or Accept-Language), for mails; None: the shop's.
    locale: Mapped[str | None] = mapped_column(String(8))
    # An account of the shop's identity provider: (provider, its `sub`) is the key.
    identity_provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_provider.id", ondelete="RESTRICT")
    )
    subject: Mapped[str | None] = mapped_column(String(255))
    # Eligibility as last announced (user.eligibility_changed.v1), and how many changes so far.
    eligible: Mapped[bool] = mapped_column(Boolean, server_default=false())
    eligibility_version: Mapped[int] = mapped_column(Integer, server_default="0")
    # What campaigns with eligibility rules decide from, announced with it.
    last_paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdentityProvider(Base):
    """An OIDC issuer the shop signs its customers in with; its ID tokens are exchanged
    for ours. `email_claim`, `name_claim`: where its tokens carry those."""

    __tablename__ = "identity_provider"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500), unique=True)
    audience: Mapped[str] = mapped_column(String(500))
    jwks_uri: Mapped[str] = mapped_column(String(1000))
    email_claim: Mapped[str] = mapped_column(String(100))
    name_claim: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
