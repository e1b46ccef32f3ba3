import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from reward_service.tiers.schemas import MAX_STOCK

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class StockAdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delta: int = Field(ge=-MAX_STOCK, le=MAX_STOCK, description="Units added (negative: removed)")
    reason: Reason

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("delta must not be 0")
        return value


class StockAdjusted(BaseModel):
    stock: int


class StockStatus(BaseModel):
    tier_id: uuid.UUID
    name: str
    stock: int
    low_stock_threshold: int
    low: bool = Field(description="At or under the low-stock threshold")


class StockList(BaseModel):
    items: list[StockStatus]
    next_cursor: str | None = None
