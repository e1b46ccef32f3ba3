import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from auth_service.purchases.schemas import Currency, OrderId

WebhookName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EventId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ORDER_EXAMPLE = {
    "order_id": "ORD-2026-000123",
    "email": "kim@example.com",
    "amount": "39000",
    "currency": "KRW",
    "purchased_at": "2026-11-29T14:03:00+09:00",
}


class OrderWebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=example({"name": "shop orders"}))

    name: WebhookName


class OrderWebhookCreated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "7a4c1e2b-3d5f-4a6b-8c7d-9e0f1a2b3c4d",
                "name": "shop orders",
                "path": "/auth/webhooks/orders/7a4c1e2b-3d5f-4a6b-8c7d-9e0f1a2b3c4d",
                "secret": "whsec_4q7mVh2QeX0b9L1c8pT3rN6sK5wY2zA1",
                "created_at": "2026-11-30T10:00:00+09:00",
            }
        )
    )

    id: uuid.UUID
    name: str
    path: str = Field(description="Where the order system posts (through the gateway)")
    secret: str = Field(description="Signs every post; shown only now, never again")
    created_at: datetime


class OrderWebhookRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "7a4c1e2b-3d5f-4a6b-8c7d-9e0f1a2b3c4d",
                "name": "shop orders",
                "path": "/auth/webhooks/orders/7a4c1e2b-3d5f-4a6b-8c7d-9e0f1a2b3c4d",
                "created_at": "2026-11-30T10:00:00+09:00",
            }
        )
    )

    id: uuid.UUID
    name: str
    path: str = Field(description="Where the order system posts (through the gateway)")
    created_at: datetime


class OrderWebhookList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "items": [
                    {
                        "id": "7a4c1e2b-3d5f-4a6b-8c7d-9e0f1a2b3c4d",
                        "name": "shop orders",
                        "path": "/auth/webhooks/orders/7a4c1e2b-3d5f-4a6b-8c7d-9e0f1a2b3c4d",
                        "created_at": "2026-11-30T10:00:00+09:00",
                    }
                ],
                "next_cursor": None,
            }
        )
    )

    items: list[OrderWebhookRead]
    next_cursor: str | None = None


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: OrderId
    email: EmailStr
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: Currency
    purchased_at: AwareDatetime


class OrderEvent(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=example(
            {"event_id": "evt_01JD8Q7W3K", "type": "order.paid", "order": ORDER_EXAMPLE}
        ),
    )

    event_id: EventId = Field(description="The shop's id of this event: applied once")
    type: Literal["order.paid", "order.refunded", "order.cancelled"]
    order: Order


Outcome = Literal["applied", "duplicate", "pending_shopper"]


class OrderEventResult(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"status": "applied"}))

    status: Outcome = Field(
        description="`pending_shopper`: recorded for an email nobody has registered yet "
        "(applied when that shopper signs up)"
    )
