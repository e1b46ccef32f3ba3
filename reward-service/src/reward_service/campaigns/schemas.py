import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from checkin_shared.settings import TimeZoneName
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Status = Literal["draft", "scheduled", "running", "ended"]
DailyPoints = Annotated[
    int, Field(ge=0, le=1_000_000, description="Points credited for every check-in day (0: none)")
]
ExpireAfterDays = Annotated[
    int | None,
    Field(
        ge=1,
        le=3650,
        description="Points credited from now on expire at midnight (the campaign's zone) "
        "this many days later; none: they never expire",
    ),
]


class MakeupRules(BaseModel):
    """A shopper may fill a missed day of the window by spending points."""

    model_config = ConfigDict(extra="forbid")

    cost_points: int = Field(ge=0, le=100_000_000, description="Points one make-up day costs")
    max_per_campaign: int = Field(ge=1, le=366, description="Make-up days per shopper")


class EligibilityRules(BaseModel):
    """What a shopper's purchases must show, besides one paid purchase, for their check-ins
    to count in this campaign."""

    model_config = ConfigDict(extra="forbid")

    purchased_within_days: int | None = Field(
        None, ge=1, le=3650, description="A paid purchase within this many days"
    )
    min_total_amount: Decimal | None = Field(
        None, ge=0, le=Decimal("1e12"), decimal_places=2, description="Paid purchases in total"
    )

    @field_validator("min_total_amount")
    @classmethod
    def _cents(cls, amount: Decimal | None) -> Decimal | None:
        """Always with its two decimals, as stored ("10000" is answered "10000.00")."""
        return None if amount is None else amount.quantize(Decimal("0.01"))


EXAMPLE_WRITE = {
    "name": "December check-in event",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-31",
    "timezone": "Asia/Seoul",
    "daily_points": 10,
    "points_expire_after_days": 90,
    "makeup": {"cost_points": 100, "max_per_campaign": 3},
    "eligibility": {"purchased_within_days": 30, "min_total_amount": "10000"},
}


class CampaignWrite(BaseModel):
    """A campaign's settings, all at once (PUT, POST)."""

    model_config = ConfigDict(json_schema_extra=example(EXAMPLE_WRITE), extra="forbid")

    name: Name
    starts_on: date
    ends_on: date | None = None
    timezone: TimeZoneName = "Asia/Seoul"
    daily_points: DailyPoints = 0
    points_expire_after_days: ExpireAfterDays = None
    makeup: MakeupRules | None = Field(None, description="None: no make-up days")
    eligibility: EligibilityRules | None = None

    @model_validator(mode="after")
    def _window(self) -> "CampaignWrite":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class CampaignPatch(BaseModel):
    """Only the fields given change; `ends_on`, `points_expire_after_days`, `makeup` and
    `eligibility` are removed by null."""

    model_config = ConfigDict(
        json_schema_extra=example({"ends_on": "2027-01-07", "daily_points": 20}),
        extra="forbid",
    )

    name: Name | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    timezone: TimeZoneName | None = None
    daily_points: DailyPoints | None = None
    points_expire_after_days: ExpireAfterDays = None
    makeup: MakeupRules | None = None
    eligibility: EligibilityRules | None = None


class CampaignRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "0b7c6d5e-4f3a-4b2c-9d1e-8f7a6b5c4d3e",
                "status": "scheduled",
                **EXAMPLE_WRITE,
            }
        )
    )

    id: uuid.UUID
    status: Status = Field(
        description="`draft` until published; then `scheduled`, `running` or `ended` by its "
        "days in its own time zone"
    )
    name: str
    starts_on: date
    ends_on: date | None
    timezone: str
    daily_points: int = 0
    points_expire_after_days: int | None = None
    makeup: MakeupRules | None = None
    eligibility: EligibilityRules | None = None


class CampaignList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "items": [
                    {
                        "id": "0b7c6d5e-4f3a-4b2c-9d1e-8f7a6b5c4d3e",
                        "status": "scheduled",
                        **EXAMPLE_WRITE,
                    }
                ]
            }
        )
    )

    items: list[CampaignRead]
