import uuid
from datetime import date

from checkin_shared.events.people import NamedShopper
from checkin_shared.openapi_examples import example
from pydantic import ConfigDict


class AttendanceOverviewRow(NamedShopper):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "user_id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "attendance_days": 6,
                "last_day": "2026-11-30",
                "claimed_tiers": ["0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111"],
            }
        )
    )

    user_id: uuid.UUID
    attendance_days: int
    last_day: date
    claimed_tiers: list[uuid.UUID]
