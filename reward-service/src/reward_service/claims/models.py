import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Sequence, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import SCHEMA, Base

# Claim numbers a person can read out to support ("C-000042"), in claim order.
CLAIM_NUMBER = Sequence("claim_number_seq", schema=SCHEMA)


def claim_number(number: int) -> str:
    return f"C-{number:06d}"


class Claim(Base):
    """A tier granted to a shopper; the unique key allows one per shopper and tier."""

    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("user_id", "tier_id", name="uq_claim_user_id_tier_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    tier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tier.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(
        BigInteger, CLAIM_NUMBER, server_default=CLAIM_NUMBER.next_value(), unique=True
    )
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
