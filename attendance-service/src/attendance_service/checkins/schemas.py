from datetime import date, datetime

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field


class CheckInRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "day": "2026-11-30",
                "checked_at": "2026-11-30T09:12:03+09:00",
                "total_days": 6,
                "current_streak": 3,
            }
        )
    )

    day: date = Field(description="The business day (in the business time zone)")
    checked_at: datetime
    total_days: int
    current_streak: int


class AttendanceSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "today": "2026-11-30",
                "checked_in_today": True,
                "total_days": 6,
                "current_streak": 3,
                "longest_streak": 4,
                "last_check_in": "2026-11-30",
                "last_checked_at": "2026-11-30T09:12:03+09:00",
                "makeup_days": 1,
            }
        )
    )

    today: date
    checked_in_today: bool
    total_days: int
    current_streak: int
    longest_streak: int
    last_check_in: date | None = Field(description="The last business day checked in")
    last_checked_at: datetime | None
    makeup_days: int = Field(0, description="How many of the days were make-up days")


class CalendarDay(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"day": "2026-11-30", "checked_in": True, "makeup": False})
    )

    day: date
    checked_in: bool
    makeup: bool = Field(False, description="A missed day filled later with points")


class Calendar(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "days": [
                    {"day": "2026-11-28", "checked_in": True, "makeup": True},
                    {"day": "2026-11-29", "checked_in": False, "makeup": False},
                    {"day": "2026-11-30", "checked_in": True, "makeup": False},
                ]
            }
        )
    )

    days: list[CalendarDay]
