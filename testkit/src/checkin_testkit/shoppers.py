"""What system tests do through the gateway as clients: make many eligible shoppers, and
retry the way a real client does."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

PASSWORD = "burst pass 1"  # noqa: S105 (test shoppers on a throwaway stack)


async def patiently(
    send: Callable[[], Awaitable[httpx.Response]], *, attempts: int = 30
) -> httpx.Response:
    """Retry a 503 after its Retry-After, as a real client would (claims carry an
    Idempotency-Key, so a retry can never claim twice)."""
    for _ in range(attempts):
        response = await send()
        if response.status_code != 503:
            return response
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    return response


async def eligible_shoppers(
    client: httpx.AsyncClient, admin: dict[str, str], tag: str, count: int
) -> list[tuple[str, dict[str, str]]]:
    """`count` shoppers registered, with a purchase imported by the admin, logged in:
    (email, authorization headers) each."""
    emails = [f"{tag}-{i}-{uuid.uuid4().hex[:6]}@example.com" for i in range(count)]
    await asyncio.gather(
        *(
            client.post("/auth/register", json={"email": e, "password": PASSWORD, "name": "B"})
            for e in emails
        )
    )
    items = [
        {
            "email": e,
            "order_id": f"{tag}-{e}",
            "amount": "1000",
            "currency": "KRW",
            "purchased_at": "2026-11-01T12:00:00+09:00",
        }
        for e in emails
    ]
    imported = await client.post("/auth/admin/purchases", json={"items": items}, headers=admin)
    assert imported.json()["imported"] == count, imported.text
    logins = await asyncio.gather(
        *(client.post("/auth/login", json={"email": e, "password": PASSWORD}) for e in emails)
    )
    refused = [r.text for r in logins if r.status_code != 200]
    assert refused == [], refused[:3]
    return [
        (e, {"Authorization": f"Bearer {r.json()['access_token']}"})
        for e, r in zip(emails, logins, strict=True)
    ]


async def admin_headers(client: httpx.AsyncClient, admin: tuple[str, str]) -> dict[str, str]:
    login = await client.post("/auth/login", json={"email": admin[0], "password": admin[1]})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def one_day_tier(
    client: httpx.AsyncClient, admin: dict[str, str], *, name: str, stock: int, threshold: int
) -> str:
    """A tier claimable after a single check-in day (no waiting for days); its id."""
    created = await client.post(
        "/rewards/admin/tiers",
        headers=admin,
        json={
            "name": name,
            "required_days": 1,
            "kind": "item",
            "stock": stock,
            "low_stock_threshold": threshold,
        },
    )
    assert created.status_code == 201, created.text
    tier_id: str = created.json()["id"]
    return tier_id


async def tier_status(client: httpx.AsyncClient, headers: dict[str, str], tier: str) -> Any:
    tiers = (await client.get("/rewards", headers=headers)).json()["tiers"]
    return next(t for t in tiers if t["id"] == tier)["status"]


async def is_claimable(client: httpx.AsyncClient, headers: dict[str, str], tier: str) -> bool:
    """The tier shows `claimable` to this shopper (its check-in days have reached rewards)."""
    return bool(await tier_status(client, headers, tier) == "claimable")
