"""Demo data, made through the public API so it is exactly what a client could make."""

import httpx

DEMO_SHOPPER = {"email": "demo@example.com", "password": "check in 2026!", "name": "Demo Shopper"}
DEMO_ORDER = {
    "email": DEMO_SHOPPER["email"],
    "order_id": "DEMO-0001",
    "amount": "39000.00",
    "currency": "KRW",
    "purchased_at": "2026-11-01T12:00:00+09:00",
}


async def seed_demo(gateway_url: str, admin: tuple[str, str]) -> None:
    """Idempotent: a second run finds everything in place."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
        registered = await client.post("/auth/register", json=DEMO_SHOPPER)
        if registered.status_code not in (201, 409):
            raise RuntimeError(f"seeding the demo shopper failed: {registered.text}")
        login = await client.post("/auth/login", json={"email": admin[0], "password": admin[1]})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        imported = await client.post(
            "/auth/admin/purchases", json={"items": [DEMO_ORDER]}, headers=headers
        )
        imported.raise_for_status()
    print("• demo data: shopper demo@example.com with order DEMO-0001")
