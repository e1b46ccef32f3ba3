import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import Base


class PointsEntry(Base):
    """The points ledger: the balance is the sum of a shopper's entries."""

    __tablename__ = "points_entry"
    __table_args__ = (
        # daily points: once per shopper and day
        Index(
            "uq_points_entry_user_id_day",
            "user_id",
            "day",
            unique=True,
            postgresql_where=text("day IS NOT NULL"),
        ),
        Index(
            "ix_points_entry_expiry_due",
            "expires_at",
            postgresql_where=text("expires_at IS NOT NULL AND NOT expiry_settled"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    claim_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claim.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date | None] = mapped_column(Date)  # the check-in day of daily points
    # A credit's end (None: never); settled once its unspent part was debited.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expiry_settled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    expiry_warned: Mapped[bool] = mapped_column(Boolean, server_default=false())  # told once


MAKEUP_STATUSES = ("pending", "applied", "refused")


class Makeup(Base):
    """A shopper paid `cost_points` to fill a missed `day`: `pending` until the attendance
    service adds the day (`applied`) or refuses it (`refused`, with its `code`, the points
    given back)."""

    __tablename__ = "makeup"
    __table_args__ = (
        Index(
            "uq_makeup_user_id_day_live",
            "user_id",
            "day",
            unique=True,
            postgresql_where=text("status <> 'refused'"),
        ),
        Index("ix_makeup_user_id_campaign_id", "user_id", "campaign_id"),
        CheckConstraint(f"status IN {MAKEUP_STATUSES}", name="status"),
        CheckConstraint("cost_points >= 0", name="cost_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID]
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaign.id"))
    day: Mapped[date] = mapped_column(Date)
    cost_points: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
