import uuid
from datetime import date

from sqlalchemy import Date
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import Base


class AttendanceDay(Base):
    """The reward service's own copy of check-in days, fed by attendance.checked_in.v1."""

    __tablename__ = "attendance_day"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
