"""The events of the system (handbook DESIGN.md). A breaking change is a new version,
published beside the old one until consumers move; `schemas/` holds each frozen contract."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from checkin_shared.events.envelope import EventData


class UserRegisteredV1(EventData):
    event_type = "user.registered.v1"
    producer = "auth"
    consumers = ("notification",)

    user_id: uuid.UUID
    email: str
    name: str


class PurchaseRecordedV1(EventData):
    event_type = "purchase.recorded.v1"
    producer = "auth"
    consumers = ("notification",)

    user_id: uuid.UUID
    order_id: str
    purchased_at: datetime


class AttendanceCheckedInV1(EventData):
    event_type = "attendance.checked_in.v1"
    producer = "attendance"
    consumers = ("reward", "notification")

    user_id: uuid.UUID
    day: date
    checked_at: datetime
    total_days: int = Field(ge=1)


class RewardClaimedV1(EventData):
    event_type = "reward.claimed.v1"
    producer = "reward"
    consumers = ("notification",)

    claim_id: uuid.UUID
    user_id: uuid.UUID
    tier_id: uuid.UUID
    tier_name: str
    kind: Literal["points", "item"]
    points: int | None = None
    claimed_at: datetime
    stock_left: int | None = None


class RewardStockLowV1(EventData):
    event_type = "reward.stock_low.v1"
    producer = "reward"
    consumers = ("notification",)

    tier_id: uuid.UUID
    tier_name: str
    stock: int
    threshold: int


class RewardStockAdjustedV1(EventData):
    event_type = "reward.stock_adjusted.v1"
    producer = "reward"
    consumers = ()

    tier_id: uuid.UUID
    delta: int
    stock: int
    admin_id: uuid.UUID
    reason: str


CONTRACTS: dict[str, type[EventData]] = {
    c.event_type: c
    for c in (
        UserRegisteredV1,
        PurchaseRecordedV1,
        AttendanceCheckedInV1,
        RewardClaimedV1,
        RewardStockLowV1,
        RewardStockAdjustedV1,
    )
}


def consumed_by(service: str) -> list[str]:
    """The event types bound to a service's queue."""
    return sorted(t for t, c in CONTRACTS.items() if service in c.consumers)


def consuming_services() -> list[str]:
    return sorted({s for c in CONTRACTS.values() for s in c.consumers})
