import uuid
from datetime import date, datetime
from typing import Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict

EXAMPLE = {
    "id": "3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4",
    "day": "2026-12-03",
    "status": "applied",
    "code": None,
    "cost_points": 100,
    "created_at": "2026-12-05T09:12:03+09:00",
    "settled_at": "2026-12-05T09:12:03.4+09:00",
}


class MakeupAsk(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"day": "2026-12-03"}), extra="forbid")

    day: date


class MakeupRead(BaseModel):
    """`pending` until the day is added (`applied`) or refused (`refused`, with `code`:
    `already_checked_in` or `not_eligible`; the points given back)."""

    model_config = ConfigDict(json_schema_extra=example(EXAMPLE))

    id: uuid.UUID
    day: date
    status: Literal["pending", "applied", "refused"]
    code: str | None = None
    cost_points: int
    created_at: datetime
    settled_at: datetime | None = None


class MakeupList(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"items": [EXAMPLE]}))

    items: list[MakeupRead]
