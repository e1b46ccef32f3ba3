import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

ClaimNumber = Annotated[
    str, Field(description="The claim's number for people (mails, support)", examples=["C-000042"])
]


class ClaimCreated(BaseModel):
    claim_id: uuid.UUID
    claim_number: ClaimNumber
    tier_id: uuid.UUID
    claimed_at: datetime


class ClaimRead(BaseModel):
    claim_id: uuid.UUID
    claim_number: ClaimNumber
    tier_id: uuid.UUID
    tier_name: str
    kind: str
    points: int | None
    claimed_at: datetime


class AdminClaimRead(ClaimRead):
    user_id: uuid.UUID
