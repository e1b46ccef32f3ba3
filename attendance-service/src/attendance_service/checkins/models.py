import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, UniqueConstraint, false
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
