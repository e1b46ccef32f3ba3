import uuid
from datetime import datetime
from typing import Annotated, Literal

from checkin_shared.events.people import NamedShopper
from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reward_service.claims.schemas import ClaimNumber
from reward_service.claims.shipping import ADDRESS_EXAMPLE, Status, Text


class FulfilmentChange(BaseModel):
    """`shipped` needs `carrier` and `tracking_number`; `cancelled` needs `reason`."""

    model_config = ConfigDict(
        json_schema_extra=example(
            {"status": "shipped", "carrier": "CJ Logistics", "tracking_number": "6543-2109-8765"}
        ),
        extra="forbid",
    )

    status: Literal["shipped", "delivered", "cancelled"]
    carrier: Annotated[Text, StringConstraints(max_length=100)] | None = None
    tracking_number: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,99}$"),
        ]
        | None
    ) = None
    reason: Annotated[Text, StringConstraints(max_length=500)] | None = None


class AdminFulfilmentRead(NamedShopper):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "claim_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                "claim_number": "C-000042",
                "user_id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "tier_id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                "tier_name": "Wireless earphones",
                "claimed_at": "2026-11-30T09:15:00+09:00",
                "status": "pending",
                **ADDRESS_EXAMPLE,
                "carrier": None,
                "tracking_number": None,
                "shipped_at": None,
                "delivered_at": None,
                "cancelled_at": None,
                "cancel_reason": None,
            }
        )
    )

    claim_id: uuid.UUID
    claim_number: ClaimNumber
    user_id: uuid.UUID
    tier_id: uuid.UUID
    tier_name: str
    claimed_at: datetime
    status: Status
    recipient: str | None
    phone: str | None
    address1: str | None
    address2: str | None
    postal_code: str | None
    country: str | None
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class RowError(BaseModel):
    line: int = Field(description="The CSV line (the header is line 1)")
    error: str


class TrackingImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {"updated": 41, "errors": [{"line": 7, "error": "C-000031 has no address yet"}]}
        )
    )

    updated: int = Field(description="Claims marked shipped by this import")
    errors: list[RowError] = Field(description="Rows not applied, and why")
