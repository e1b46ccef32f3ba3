import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from attendance_service.db import Base


class CheckIn(Base):
    """One row per shopper per business day: the unique key is the guarantee."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("user_id", "day", name="uq_check_in_user_id_day"),
        Index("ix_check_in_day", "day"),
        Index("ix_check_in_checked_at", "checked_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID]
    day: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A missed day filled later with points (a make-up day), not checked in on the day.
    makeup: Mapped[bool] = mapped_column(Boolean, server_default=false())


class CampaignRules(Base):
    """The service's copy of each campaign's window and eligibility rules (from
    reward.campaign_changed.v1; the newest `changed_at` wins). A check-in on a day of a
    published campaign with rules is refused to a shopper who does not meet them."""

    __tablename__ = "campaign_rules"

    campaign_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    published: Mapped[bool] = mapped_column(Boolean)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    purchased_within_days: Mapped[int | None] = mapped_column(Integer)
    min_total_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
