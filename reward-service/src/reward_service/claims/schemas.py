import uuid
from datetime import datetime

from pydantic import BaseModel


class ClaimCreated(BaseModel):
    claim_id: uuid.UUID
    tier_id: uuid.UUID
    claimed_at: datetime


class ClaimRead(BaseModel):
    claim_id: uuid.UUID
    tier_id: uuid.UUID
    tier_name: str
    kind: str
    points: int | None
    claimed_at: datetime


class AdminClaimRead(ClaimRead):
    user_id: uuid.UUID
