from datetime import date
from typing import Annotated

from checkin_shared.openapi_examples import example
from checkin_shared.settings import TimeZoneName
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class CampaignWrite(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "name": "December check-in event",
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-31",
                "timezone": "Asia/Seoul",
                "daily_points": 10,
                "points_expire_after_days": 90,
            }
        ),
        extra="forbid",
    )

    name: Name
    starts_on: date
    ends_on: date | None = None
    timezone: TimeZoneName = "Asia/Seoul"
    daily_points: int = Field(
        0, ge=0, le=1_000_000, description="Points credited for every check-in day (0: none)"
    )
    points_expire_after_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="Points credited from now on expire at midnight (the campaign's zone) "
        "this many days later; none: they never expire",
    )

    @model_validator(mode="after")
    def _window(self) -> "CampaignWrite":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class CampaignRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "name": "December check-in event",
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-31",
                "timezone": "Asia/Seoul",
                "daily_points": 10,
                "points_expire_after_days": 90,
            }
        )
    )

    name: str
    starts_on: date
    ends_on: date | None
    timezone: str
    daily_points: int = 0
    points_expire_after_days: int | None = None
