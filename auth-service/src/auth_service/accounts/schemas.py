from checkin_shared.openapi_examples import example
from pydantic import ConfigDict, Field

from auth_service.purchases.schemas import PurchaseRead
from auth_service.users.schemas import AdminUserRead


class AdminUserDetail(AdminUserRead):
    """One account as an admin sees it: with how it signs in and its orders (newest 100)."""

    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "role": "shopper",
                "locale": "ko",
                "eligible": True,
                "created_at": "2026-11-01T10:00:00+09:00",
                "identity_provider": None,
                "purchases": [
                    {
                        "order_id": "ORD-2026-000123",
                        "amount": "39000.00",
                        "currency": "KRW",
                        "purchased_at": "2026-11-29T14:03:00+09:00",
                        "status": "paid",
                    }
                ],
            }
        )
    )

    identity_provider: str | None = Field(
        description="The issuer the account signs in with; null: email and password"
    )
    purchases: list[PurchaseRead]
