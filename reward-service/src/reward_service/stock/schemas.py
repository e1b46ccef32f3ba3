import uuid
from datetime import datetime
from typing import Annotated

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from reward_service.tiers.schemas import MAX_STOCK

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class StockAdjustmentCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"delta": 20, "reason": "second delivery from the supplier"}),
        extra="forbid",
    )

    delta: int = Field(ge=-MAX_STOCK, le=MAX_STOCK, description="Units added (negative: removed)")
    reason: Reason

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("delta must not be 0")
        return value


class StockAdjusted(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"stock": 70}))

    stock: int


class StockStatus(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "tier_id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                "name": "Wireless earphones",
                "stock": 8,
                "low_stock_threshold": 10,
                "low": True,
            }
        )
    )

    tier_id: uuid.UUID
    name: str
    stock: int
    low_stock_threshold: int
    low: bool = Field(description="At or under the low-stock threshold")


class StockList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "items": [
                    {
                        "tier_id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                        "name": "Wireless earphones",
                        "stock": 8,
                        "low_stock_threshold": 10,
                        "low": True,
                    }
                ],
                "next_cursor": None,
            }
        )
    )

    items: list[StockStatus]
    next_cursor: str | None = None


class StockLedgerEntry(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "delta": 20,
                "stock_after": 70,
                "reason": "second delivery from the supplier",
                "admin_id": "0d9c8b7a-6f5e-4d3c-2b1a-098765432100",
                "admin_email": "ops@example.com",
                "created_at": "2026-11-30T10:00:00+09:00",
            }
        )
    )

    delta: int
    stock_after: int
    reason: str
    admin_id: uuid.UUID
    admin_email: str | None = Field(description="From the service's copy of user events")
    created_at: datetime
