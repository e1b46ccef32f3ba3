import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Sequence,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import SCHEMA, Base

# Claim numbers a person can read out to support ("C-000042"), in claim order.
CLAIM_NUMBER = Sequence("claim_number_seq", schema=SCHEMA)


def claim_number(number: int) -> str:
    return f"C-{number:06d}"


class Claim(Base):
    """A tier granted to a shopper; the unique key allows one per shopper, tier and `seq`
    (the n-th claim: always 1 but for an `every_n_days` tier, claimed again and again)."""

    __tablename__ = "claim"
    __table_args__ = (
        UniqueConstraint("user_id", "tier_id", "seq", name="uq_claim_user_id_tier_id_seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    tier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tier.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(
        BigInteger, CLAIM_NUMBER, server_default=CLAIM_NUMBER.next_value(), unique=True
    )
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    seq: Mapped[int] = mapped_column(Integer, server_default="1")


STATUSES = ("awaiting_address", "pending", "shipped", "delivered", "cancelled")


class Fulfilment(Base):
    """What became of a claim after it was made: an item's shipping address and journey to
    the shopper (`awaiting_address` → `pending` → `shipped` → `delivered`), or the claim
    cancelled. Item claims have one from the start; a points claim only once cancelled.
    The address is personal data: shown to the shopper and staff only, never logged."""

    __tablename__ = "fulfilment"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_address', 'pending', 'shipped', 'delivered', 'cancelled')",
            name="status",
        ),
    )

    claim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True)
    recipient: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    address1: Mapped[str | None] = mapped_column(String(200))
    address2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    country: Mapped[str | None] = mapped_column(String(2))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
