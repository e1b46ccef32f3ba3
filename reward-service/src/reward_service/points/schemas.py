import uuid
from datetime import datetime

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict


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
            }
        )
    )

    balance: int
    items: list[PointsItem]
    next_cursor: str | None = None
