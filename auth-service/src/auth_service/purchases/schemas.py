from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

PurchaseStatus = Literal["paid", "refunded", "cancelled"]
OrderId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class PurchaseImportItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "email": "kim@example.com",
                "order_id": "ORD-2026-000123",
                "amount": "39000",
                "currency": "KRW",
                "purchased_at": "2026-11-29T14:03:00+09:00",
            }
        ),
        extra="forbid",
    )

    email: EmailStr
    order_id: OrderId
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: Currency = Field(description="ISO 4217 code, e.g. KRW")
    purchased_at: AwareDatetime
    status: PurchaseStatus = Field(
        "paid",
        description="`refunded` or `cancelled` for an order seen before takes it back "
        "(final); a shopper whose last paid order is taken back is no longer eligible",
    )


class PurchaseImport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "items": [
                    {
                        "email": "kim@example.com",
                        "order_id": "ORD-2026-000123",
                        "amount": "39000",
                        "currency": "KRW",
                        "purchased_at": "2026-11-29T14:03:00+09:00",
                    }
                ]
            }
        ),
        extra="forbid",
    )

    items: list[PurchaseImportItem] = Field(min_length=1, max_length=1000)


class PurchaseImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"imported": 1, "skipped": 0, "unregistered": 0})
    )

    imported: int
    skipped: int = Field(description="Order ids seen before (in the store or this batch)")
    unregistered: int = Field(
        description="Imported orders whose email has no account yet (linked at registration)"
    )


class PurchaseRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "order_id": "ORD-2026-000123",
                "amount": "39000.00",
                "currency": "KRW",
                "purchased_at": "2026-11-29T14:03:00+09:00",
                "status": "paid",
            }
        )
    )

    order_id: str
    amount: Decimal
    currency: str
    purchased_at: datetime
    status: PurchaseStatus
