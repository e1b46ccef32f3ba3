import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import Base

STORED_STATUSES = ("draft", "published")


class Campaign(Base):
    """A campaign: a `draft` until published; published ones are `scheduled`, `running` or
    `ended` by their days in their own zone, and their windows never overlap (an exclusion
    constraint in the migration, `ex_campaign_published_window`)."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="window"),
        CheckConstraint("daily_points >= 0", name="daily_points_not_negative"),
        CheckConstraint(
            "points_expire_after_days IS NULL OR points_expire_after_days > 0",
            name="points_expire_after_days_positive",
        ),
        CheckConstraint(f"status IN {STORED_STATUSES}", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), server_default="draft")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Points credited for every check-in day in the window (0: none).
    daily_points: Mapped[int] = mapped_column(Integer, server_default="0")
    # Points credited from now on expire at the zone's midnight this many days later.
    points_expire_after_days: Mapped[int | None] = mapped_column(Integer)
    # Make-up days: both set, or neither (none allowed).
    makeup_cost_points: Mapped[int | None] = mapped_column(Integer)
    makeup_max_per_campaign: Mapped[int | None] = mapped_column(Integer)
    eligibility_purchased_within_days: Mapped[int | None] = mapped_column(Integer)
    eligibility_min_total_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
