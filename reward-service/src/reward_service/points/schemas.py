import uuid
from datetime import datetime
from typing import Annotated

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


class PointsItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "amount": 5000,
                "reason": "reward: 5,000 points",
                "claim_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                "created_at": "2026-11-30T09:15:00+09:00",
            }
        )
    )

    amount: int
    reason: str
    claim_id: uuid.UUID | None
    created_at: datetime
    expires_at: datetime | None = Field(
        None, description="When this credit ends (what is left of it then is debited)"
    )


class Expiring(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"amount": 3000, "expires_at": "2027-03-01T00:00:00+09:00"})
    )

    amount: int = Field(description="Points of mine that will expire then, if not spent")
    expires_at: datetime


class MyPoints(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "balance": 5000,
                "items": [
                    {
                        "amount": 5000,
                        "reason": "reward: 5,000 points",
                        "claim_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                        "created_at": "2026-11-30T09:15:00+09:00",
                    }
                ],
                "next_cursor": None,
                "expiring": [{"amount": 5000, "expires_at": "2027-03-01T00:00:00+09:00"}],
            }
        )
    )

    balance: int
    items: list[PointsItem]
    next_cursor: str | None = None
    expiring: list[Expiring] = Field(
        default_factory=list, description="What will expire when, soonest first"
    )


class PointsGrant(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=example(
            {
                "user_ids": ["6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9"],
                "amount": 1000,
                "reason": "apology for the late delivery",
            }
        ),
    )

    user_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    amount: int = Field(
        ge=-100_000_000, le=100_000_000, description="Negative: taken back (never below 0)"
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

    @field_validator("amount")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("amount must not be 0")
        return value


class PointsGranted(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"granted": 1}))

    granted: int = Field(description="How many shoppers got the entry")
