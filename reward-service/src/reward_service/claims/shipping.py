"""What a claim of an item carries: where it goes, and where it is."""

from datetime import datetime
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Status = Literal["awaiting_address", "pending", "shipped", "delivered", "cancelled"]

ADDRESS_EXAMPLE = {
    "recipient": "Kim Minji",
    "phone": "+82 10-1234-5678",
    "address1": "12 Teheran-ro, Gangnam-gu, Seoul",
    "address2": "Apt 301",
    "postal_code": "06234",
    "country": "KR",
}


class ShippingAddress(BaseModel):
    """Where an item goes. Personal data: only the shopper and staff read it."""

    model_config = ConfigDict(json_schema_extra=example(ADDRESS_EXAMPLE), extra="forbid")

    recipient: Annotated[Text, StringConstraints(max_length=100)]
    phone: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,28}[0-9]$"),
        Field(description="Digits, spaces and dashes, optionally starting with +"),
    ]
    address1: Annotated[Text, StringConstraints(max_length=200)]
    address2: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    postal_code: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,11}$")
    ]
    country: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
            Field(description="ISO 3166-1 alpha-2"),
        ]
        | None
    ) = None


class ClaimBody(BaseModel):
    """What a claim may carry: the address of an item tier (without it the claim waits for
    one, `awaiting_address`). A points tier needs none and ignores it."""

    model_config = ConfigDict(
        json_schema_extra=example({"shipping": ADDRESS_EXAMPLE}), extra="forbid"
    )

    shipping: ShippingAddress | None = None


class FulfilmentRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "status": "shipped",
                "carrier": "CJ Logistics",
                "tracking_number": "6543-2109-8765",
                "shipped_at": "2026-12-01T14:00:00+09:00",
                "delivered_at": None,
            }
        )
    )

    status: Status
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None
