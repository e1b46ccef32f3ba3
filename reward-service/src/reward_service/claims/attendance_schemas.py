import uuid
from datetime import date

from pydantic import BaseModel


class AttendanceOverviewRow(BaseModel):
    user_id: uuid.UUID
    attendance_days: int
    last_day: date
    claimed_tiers: list[uuid.UUID]
