import uuid
from datetime import datetime
from typing import Literal

from checkin_shared.events.people import NamedShopper
from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, EmailStr, Field

Kind = Literal[
    "reward_claimed",
    "reminder",
    "stock_low",
    "fulfilment_shipped",
    "claim_cancelled",
    "points_expiring",
]
Status = Literal["pending", "sent", "failed"]


class MyNotification(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "c0ffee00-1234-4abc-8def-0123456789ab",
                "kind": "reward_claimed",
                "subject": "You claimed Wireless earphones",
                "status": "sent",
                "created_at": "2026-11-30T09:15:00+09:00",
                "sent_at": "2026-11-30T09:15:01+09:00",
            }
        )
    )

    id: uuid.UUID
    kind: Kind
    subject: str
    status: Status
    created_at: datetime
    sent_at: datetime | None


class AdminNotification(MyNotification, NamedShopper):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "c0ffee00-1234-4abc-8def-0123456789ab",
                "kind": "reward_claimed",
                "subject": "You claimed Wireless earphones",
                "status": "sent",
                "created_at": "2026-11-30T09:15:00+09:00",
                "sent_at": "2026-11-30T09:15:01+09:00",
                "channel": "email",
                "recipient": "kim@example.com",
                "user_id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "attempts": 1,
                "last_error": None,
                "next_attempt_at": "2026-11-30T09:15:00+09:00",
            }
        )
    )

    channel: Literal["email", "webhook"]
    recipient: str
    user_id: uuid.UUID | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime


class AlertRecipients(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"emails": ["ops@example.com", "buyer@example.com"]}),
        extra="forbid",
    )

    emails: list[EmailStr] = Field(max_length=100)


class RemindersQueued(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"queued": 312}))

    queued: int
