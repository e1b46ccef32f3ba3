import uuid
from datetime import datetime
from typing import Annotated

from checkin_shared.events.people import NamedShopper
from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field

from reward_service.claims.shipping import FulfilmentRead

ClaimNumber = Annotated[
    str, Field(description="The claim's number for people (mails, support)", examples=["C-000042"])
]


class ClaimCreated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "claim_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                "claim_number": "C-000042",
                "tier_id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                "claimed_at": "2026-11-30T09:15:00+09:00",
            }
        )
    )

    claim_id: uuid.UUID
    claim_number: ClaimNumber
    tier_id: uuid.UUID
    claimed_at: datetime


class ClaimRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "claim_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                "claim_number": "C-000042",
                "tier_id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                "tier_name": "5,000 points",
                "kind": "points",
                "points": 5000,
                "claimed_at": "2026-11-30T09:15:00+09:00",
                "fulfilment": None,
            }
        )
    )

    claim_id: uuid.UUID
    claim_number: ClaimNumber
    tier_id: uuid.UUID
    tier_name: str
    kind: str
    points: int | None
    claimed_at: datetime
    fulfilment: FulfilmentRead | None = Field(
        None, description="An item's shipping (or a cancelled claim); null for points"
    )


class AdminClaimRead(ClaimRead, NamedShopper):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "claim_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                "claim_number": "C-000042",
                "tier_id": "0b5f0c1a-9a3e-4e43-b6c7-a3d3f8e2a111",
                "tier_name": "5,000 points",
                "kind": "points",
                "points": 5000,
                "claimed_at": "2026-11-30T09:15:00+09:00",
                "fulfilment": None,
                "user_id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
            }
        )
    )

    user_id: uuid.UUID
