import uuid
from typing import Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field

from reward_service.campaigns.schemas import CampaignRead
from reward_service.tiers.schemas import Grant, Kind, Rule

Status = Literal["locked", "claimable", "claimed", "out_of_stock"]


class TierForShopper(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                "name": "5,000 points",
                "required_days": 5,
                "kind": "points",
                "points": 5000,
                "in_stock": True,
                "status": "claimable",
                "days_remaining": 0,
                "rule": "cumulative",
                "claimable_count": 1,
                "daily_limit": None,
                "grant": "claim",
            }
        )
    )

    id: uuid.UUID
    name: str
    required_days: int
    kind: Kind
    points: int | None
    in_stock: bool
    status: Status
    days_remaining: int
    description: str | None = None
    image_url: str | None = None
    rule: Rule = Field(
        "cumulative",
        description="`cumulative`: days in the window; `consecutive`: days in a row; "
        "`every_n_days`: once per that many days, again and again",
    )
    claimable_count: int = Field(
        0, description="Claims I can make now (more than 1 only for `every_n_days`)"
    )
    daily_limit: int | None = Field(None, description="Claims of it per business day, if any")
    grant: Grant = Field(
        "claim", description="`auto`: credited by itself when reached (no claim to make)"
    )


class RewardsOverview(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "campaign": {
                    "id": "0b7c6d5e-4f3a-4b2c-9d1e-8f7a6b5c4d3e",
                    "status": "running",
                    "name": "December check-in event",
                    "starts_on": "2026-12-01",
                    "ends_on": "2026-12-31",
                    "timezone": "Asia/Seoul",
                    "daily_points": 10,
                    "makeup": {"cost_points": 100, "max_per_campaign": 3},
                },
                "tiers": [
                    {
                        "id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                        "name": "5,000 points",
                        "required_days": 5,
                        "kind": "points",
                        "points": 5000,
                        "in_stock": True,
                        "status": "claimable",
                        "days_remaining": 0,
                    },
                    {
                        "id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                        "name": "Wireless earphones",
                        "required_days": 15,
                        "kind": "item",
                        "points": None,
                        "in_stock": True,
                        "status": "locked",
                        "days_remaining": 9,
                    },
                ],
            }
        )
    )

    campaign: CampaignRead
    tiers: list[TierForShopper]
    earlier_campaign: CampaignRead | None = Field(
        None, description="The campaign that ended before this one began"
    )


class TierRef(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                "name": "5,000 points",
                "required_days": 5,
            }
        )
    )

    id: uuid.UUID
    name: str
    required_days: int


class MyProgress(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "attendance_days": 6,
                "current_tier": {
                    "id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                    "name": "5,000 points",
                    "required_days": 5,
                },
                "next_tier": {
                    "id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                    "name": "Wireless earphones",
                    "required_days": 15,
                },
                "days_to_next": 9,
                "points_balance": 5000,
            }
        )
    )

    attendance_days: int
    current_tier: TierRef | None
    next_tier: TierRef | None
    days_to_next: int | None
    points_balance: int
