import uuid
from typing import Literal

from pydantic import BaseModel

from reward_service.campaigns.schemas import CampaignRead

Status = Literal["locked", "claimable", "claimed", "out_of_stock"]


class TierForShopper(BaseModel):
    id: uuid.UUID
    name: str
    required_days: int
    kind: Literal["points", "item"]
    points: int | None
    in_stock: bool
    status: Status
    days_remaining: int


class RewardsOverview(BaseModel):
    campaign: CampaignRead
    tiers: list[TierForShopper]


class TierRef(BaseModel):
    id: uuid.UUID
    name: str
    required_days: int


class MyProgress(BaseModel):
    attendance_days: int
    current_tier: TierRef | None
    next_tier: TierRef | None
    days_to_next: int | None
    points_balance: int
