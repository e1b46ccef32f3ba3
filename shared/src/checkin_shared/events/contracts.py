"""The events of the system (handbook DESIGN.md). A breaking change is a new version,
published beside the old one until consumers move; `schemas/` holds each frozen contract."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from checkin_shared.events.envelope import EventData


class UserRegisteredV1(EventData):
    event_type = "user.registered.v1"

    user_id: uuid.UUID
    email: str
    name: str
    locale: str | None = None  # the language chosen at sign-up ("ko", "en"), if any


class UserProfileChangedV1(EventData):
    """A shopper's email or name changed (the shop's sign-in said so), or the auth service
    told every consumer again who its accounts are (a backfill): the whole of it, so a
    consumer's copy is simply replaced by a newer one."""

    event_type = "user.profile_changed.v1"

    user_id: uuid.UUID
    email: str
    name: str


class UserEligibilityChangedV1(EventData):
    """A shopper became eligible (a paid purchase) or stopped being (their last paid order
    refunded or cancelled), or their paid purchases changed (the newest, the total).
    `version` grows with each change of that shopper: a consumer
    keeps the highest it has seen, so a late copy never undoes a newer one."""

    event_type = "user.eligibility_changed.v1"

    user_id: uuid.UUID
    eligible: bool
    version: int = Field(ge=1)
    # What campaigns with eligibility rules decide from: the newest paid purchase and the
    # paid purchases' total (absent from events of before 2026-11-30: unknown).
    last_paid_at: datetime | None = None
    paid_total: Decimal | None = None


class PurchaseRecordedV1(EventData):
    event_type = "purchase.recorded.v1"

    user_id: uuid.UUID
    order_id: str
    purchased_at: datetime


class AttendanceCheckedInV1(EventData):
    event_type = "attendance.checked_in.v1"

    user_id: uuid.UUID
    day: date
    checked_at: datetime
    total_days: int = Field(ge=1)
    makeup: bool = False  # a missed day filled with points (absent before 2026-11-30)


class RewardCampaignChangedV1(EventData):
    """A campaign was made, changed or published: what the attendance service needs to
    refuse check-ins its eligibility rules exclude. `changed_at` orders the versions."""

    event_type = "reward.campaign_changed.v1"

    campaign_id: uuid.UUID
    published: bool
    starts_on: date
    ends_on: date | None
    timezone: str
    purchased_within_days: int | None = None
    min_total_amount: Decimal | None = None
    changed_at: datetime


class RewardMakeupRequestedV1(EventData):
    """A shopper paid `cost_points` to fill a missed `day`; the attendance service adds the
    day or refuses (a make-up day is a saga: the points come back on a refusal)."""

    event_type = "reward.makeup_requested.v1"

    makeup_id: uuid.UUID
    user_id: uuid.UUID
    day: date
    campaign_id: uuid.UUID


class AttendanceMakeupAppliedV1(EventData):
    """The make-up day is a check-in day now (announced too by attendance.checked_in.v1
    with `makeup: true`)."""

    event_type = "attendance.makeup_applied.v1"

    makeup_id: uuid.UUID
    user_id: uuid.UUID
    day: date


class AttendanceMakeupRefusedV1(EventData):
    """The day was not added: `already_checked_in` (that day was checked in meanwhile) or
    `not_eligible`. The reward service gives the points back."""

    event_type = "attendance.makeup_refused.v1"

    makeup_id: uuid.UUID
    user_id: uuid.UUID
    day: date
    code: Literal["already_checked_in", "not_eligible"]


class RewardClaimedV1(EventData):
    event_type = "reward.claimed.v1"

    claim_id: uuid.UUID
    claim_number: str | None = None  # "C-000042"; absent from events of before 2026-11-30
    user_id: uuid.UUID
    tier_id: uuid.UUID
    tier_name: str
    kind: Literal["points", "item"]
    points: int | None = None
    claimed_at: datetime
    stock_left: int | None = None


class RewardPointsChangedV1(EventData):
    """Points an admin granted (amount > 0) or took back (amount < 0), points paid for a
    make-up day or given back; a claim's points are announced by reward.claimed.v1."""

    event_type = "reward.points_changed.v1"

    entry_id: uuid.UUID
    user_id: uuid.UUID
    amount: int
    reason: str


class RewardPointsExpiringV1(EventData):
    """Points of a shopper that will expire at `expires_at` unless spent (told once per
    credit, about 7 days before): the shopper's warning mail."""

    event_type = "reward.points_expiring.v1"

    user_id: uuid.UUID
    amount: int
    expires_at: datetime


class RewardFulfilmentChangedV1(EventData):
    """A claim was shipped (with its carrier and tracking number), delivered, or cancelled
    by staff (with the reason: an item back in stock, a points tier's points taken back).
    Never the address: that stays in the reward service."""

    event_type = "reward.fulfilment_changed.v1"

    claim_id: uuid.UUID
    claim_number: str
    user_id: uuid.UUID
    tier_id: uuid.UUID
    tier_name: str
    kind: Literal["points", "item"]
    status: Literal["shipped", "delivered", "cancelled"]
    carrier: str | None = None
    tracking_number: str | None = None
    reason: str | None = None


class RewardStockLowV1(EventData):
    event_type = "reward.stock_low.v1"

    tier_id: uuid.UUID
    tier_name: str
    stock: int
    threshold: int


class RewardStockAdjustedV1(EventData):
    event_type = "reward.stock_adjusted.v1"
    must_route = False  # an audit record: no consumer yet, published for whoever binds later

    tier_id: uuid.UUID
    delta: int
    stock: int
    admin_id: uuid.UUID
    reason: str


CONTRACTS: dict[str, type[EventData]] = {
    c.event_type: c
    for c in (
        UserRegisteredV1,
        UserProfileChangedV1,
        PurchaseRecordedV1,
        UserEligibilityChangedV1,
        AttendanceCheckedInV1,
        RewardCampaignChangedV1,
        RewardMakeupRequestedV1,
        AttendanceMakeupAppliedV1,
        AttendanceMakeupRefusedV1,
        RewardClaimedV1,
        RewardPointsChangedV1,
        RewardPointsExpiringV1,
        RewardFulfilmentChangedV1,
        RewardStockLowV1,
        RewardStockAdjustedV1,
    )
}
