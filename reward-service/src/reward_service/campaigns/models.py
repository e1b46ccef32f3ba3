import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import Base


class Campaign(Base):
    """The one active campaign (a singleton row)."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("singleton", name="singleton"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="window"),
        CheckConstraint("daily_points >= 0", name="daily_points_not_negative"),
        CheckConstraint(
            "points_expire_after_days IS NULL OR points_expire_after_days > 0",
            name="points_expire_after_days_positive",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    singleton: Mapped[bool] = mapped_column(Boolean, unique=True, server_default=true())
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    # Points credited for every check-in day in the window (0: none).
    daily_points: Mapped[int] = mapped_column(Integer, server_default="0")
    # Points credited from now on expire at the zone's midnight this many days later.
    points_expire_after_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
