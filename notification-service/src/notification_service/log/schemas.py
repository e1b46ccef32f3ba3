import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Kind = Literal["reward_claimed", "reminder", "stock_low"]
Status = Literal["pending", "sent", "failed"]


class MyNotification(BaseModel):
    id: uuid.UUID
    kind: Kind
    subject: str
    status: Status
    created_at: datetime
    sent_at: datetime | None


class AdminNotification(MyNotification):
    channel: Literal["email", "webhook"]
    recipient: str
    user_id: uuid.UUID | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime


class AlertRecipients(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[EmailStr] = Field(max_length=100)


class RemindersQueued(BaseModel):
    queued: int
