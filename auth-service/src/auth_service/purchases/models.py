import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from auth_service.db import Base


class Purchase(Base):
    """A shop order. Imported by email; linked to the account once it exists."""

    __tablename__ = "purchase"
    __table_args__ = (
        CheckConstraint("status IN ('paid', 'refunded', 'cancelled')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    order_id: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    purchased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # paid (counts for eligibility), or refunded / cancelled (final: it no longer counts)
    status: Mapped[str] = mapped_column(String(16), server_default="paid")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
