import uuid
from datetime import datetime

from pydantic import BaseModel


class PointsItem(BaseModel):
    amount: int
    reason: str
    claim_id: uuid.UUID | None
    created_at: datetime


class MyPoints(BaseModel):
    balance: int
    items: list[PointsItem]
    next_cursor: str | None = None
