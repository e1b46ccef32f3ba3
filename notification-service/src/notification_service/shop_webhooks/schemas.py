import uuid
from datetime import datetime
from typing import Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field

from notification_service.log.schemas import Status

# What the shop can be told of.
EventName = Literal["reward.claimed", "points.credited", "points.debited", "fulfilment.shipped"]
HOOK = {
    "id": "5b8e2c1a-7d4f-4e3b-9a2c-1f0e9d8c7b6a",
    "url": "https://shop.example/hooks/checkin",
    "events": ["reward.claimed", "points.credited"],
    "created_at": "2026-11-30T10:00:00+09:00",
}


class ShopWebhookCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=example(
            {"url": "https://shop.example/hooks/checkin", "events": ["reward.claimed"]}
        ),
    )

    url: str = Field(min_length=8, max_length=2000, description="https on a public address")
    events: list[EventName] = Field(min_length=1, max_length=10)


class ShopWebhookRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=example(HOOK))

    id: uuid.UUID
    url: str
    events: list[str]
    created_at: datetime


class ShopWebhookCreated(ShopWebhookRead):
    model_config = ConfigDict(
        json_schema_extra=example({**HOOK, "secret": "whsec_Qm9v3kP1x8Lr2TzA7cYd4Fh6"})
    )

    secret: str = Field(description="Signs every delivery; shown only now, never again")


class ShopWebhookList(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"items": [HOOK]}))

    items: list[ShopWebhookRead]


class Delivery(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "event_id": "0f8c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
                "type": "reward.claimed",
                "status": "sent",
                "attempts": 2,
                "last_error": None,
                "response_status": 200,
                "created_at": "2026-11-30T09:15:00+09:00",
                "sent_at": "2026-11-30T09:15:06+09:00",
            }
        )
    )

    event_id: uuid.UUID
    type: str
    status: Status
    attempts: int
    last_error: str | None
    response_status: int | None
    created_at: datetime
    sent_at: datetime | None
