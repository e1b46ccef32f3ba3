"""Demo data, made through the public API so it is exactly what a client could make."""

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

DEMO_SHOPPER = {"email": "demo@example.com", "password": "check in 2026!", "name": "Demo Shopper"}
DEMO_ORDER = {
    "email": DEMO_SHOPPER["email"],
    "order_id": "DEMO-0001",
    "amount": "39000.00",
    "currency": "KRW",
    "purchased_at": "2026-11-01T12:00:00+09:00",
}


DEMO_TIERS = [
    {
        "name": "5,000 points",
        "required_days": 5,
        "kind": "points",
        "points": 5000,
        "stock": 1000,
        "low_stock_threshold": 100,
    },
    {
        "name": "Wireless earphones",
        "required_days": 15,
        "kind": "item",
        "stock": 50,
        "low_stock_threshold": 10,
    },
]


async def seed_campaign(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """The demo campaign (only when none is set up) and its two tiers (when missing)."""
    if (await client.get("/rewards/admin/campaign", headers=headers)).status_code == 404:
        today = datetime.now(ZoneInfo("Asia/Seoul")).date()
        campaign = {
            "name": "Daily check-in",
            "starts_on": today.replace(day=1).isoformat(),
            "timezone": "Asia/Seoul",
        }
        (
            await client.put("/rewards/admin/campaign", json=campaign, headers=headers)
        ).raise_for_status()
    listed = await client.get("/rewards/admin/tiers", headers=headers)
    listed.raise_for_status()
    existing = listed.json()["items"]
    have = {t["required_days"] for t in existing}
    for tier in DEMO_TIERS:
        if tier["required_days"] not in have:
            created = await client.post("/rewards/admin/tiers", json=tier, headers=headers)
            created.raise_for_status()


async def seed_demo(gateway_url: str, admin: tuple[str, str]) -> None:
    """Idempotent: a second run finds everything in place."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
        registered = await client.post("/auth/register", json=DEMO_SHOPPER)
        if registered.status_code not in (201, 409):
            raise RuntimeError(f"seeding the demo shopper failed: {registered.text}")
        login = await client.post("/auth/login", json={"email": admin[0], "password": admin[1]})
        if login.status_code == 401:
            raise SystemExit(
                f"The admin {admin[0]} already exists in this database with another password "
                "(an earlier `make dev` whose .dev/ folder is gone made it). Set "
                "AUTH_BOOTSTRAP_ADMIN_PASSWORD to that password, or start afresh: "
                "`dropdb -h 127.0.0.1 -U postgres checkin` (DEV_DATABASE names another)."
            )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        imported = await client.post(
            "/auth/admin/purchases", json={"items": [DEMO_ORDER]}, headers=headers
        )
        imported.raise_for_status()
        await seed_campaign(client, headers)
    print("• demo data: shopper demo@example.com with order DEMO-0001, campaign 'Daily check-in'")
