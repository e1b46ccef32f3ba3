import uuid
from datetime import date, datetime

from pydantic import BaseModel


class AdminCheckIn(BaseModel):
    user_id: uuid.UUID
    day: date
    checked_at: datetime


class DayCount(BaseModel):
    day: date
    check_ins: int


class DailySummary(BaseModel):
    days: list[DayCount]
