from datetime import date, datetime

from pydantic import BaseModel, Field


class CheckInRead(BaseModel):
    day: date = Field(description="The business day (in the business time zone)")
    checked_at: datetime
    total_days: int
    current_streak: int


class AttendanceSummary(BaseModel):
    today: date
    checked_in_today: bool
    total_days: int
    current_streak: int
    longest_streak: int
    last_check_in: date | None = Field(description="The last business day checked in")
    last_checked_at: datetime | None


class CalendarDay(BaseModel):
    day: date
    checked_in: bool


class Calendar(BaseModel):
    days: list[CalendarDay]
