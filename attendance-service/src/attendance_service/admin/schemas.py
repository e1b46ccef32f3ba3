import uuid
from datetime import date, datetime

from checkin_shared.events.people import NamedShopper
from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict


class AdminCheckIn(NamedShopper):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "user_id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "day": "2026-11-30",
                "checked_at": "2026-11-30T09:12:03+09:00",
            }
        )
    )

    user_id: uuid.UUID
    day: date
    checked_at: datetime


class DayCount(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"day": "2026-11-30", "check_ins": 1284}))

    day: date
    check_ins: int


class DailySummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "days": [
                    {"day": "2026-11-29", "check_ins": 1102},
                    {"day": "2026-11-30", "check_ins": 1284},
                ]
            }
        )
    )

    days: list[DayCount]
