"""An admin finds a shopper by the id other admin views name: `?query=<id>` and
`GET /auth/admin/users/{id}` with eligibility, sign-in and orders."""

import uuid
from typing import Any

import httpx


async def test_an_admin_finds_a_shopper_by_id(client: httpx.AsyncClient, api: Any) -> None:
    admin = api.bearer(await api.admin_token())
    user = await api.register()
    order_id = f"U-{uuid.uuid4().hex[:8]}"
    await client.post(
        "/auth/admin/purchases",
        json={
            "items": [
                {
                    "email": user["email"],
                    "order_id": order_id,
                    "amount": "1000",
                    "currency": "KRW",
                    "purchased_at": "2026-11-20T10:00:00+09:00",
                }
            ]
        },
        headers=admin,
    )
    found = await client.get(f"/auth/admin/users?query={user['id']}", headers=admin)
    assert [u["id"] for u in found.json()["items"]] == [user["id"]]
    detail = await client.get(f"/auth/admin/users/{user['id']}", headers=admin)
    assert detail.status_code == 200
    body = detail.json()
    assert (body["email"], body["eligible"], body["identity_provider"]) == (
        user["email"],
        True,
        None,
    )
    assert [(p["order_id"], p["status"]) for p in body["purchases"]] == [(order_id, "paid")]
    missing = await client.get(f"/auth/admin/users/{uuid.uuid4()}", headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "user_not_found")
    _, pair = await api.shopper()
    refused = await client.get(
        f"/auth/admin/users/{user['id']}", headers=api.bearer(pair["access_token"])
    )
    assert refused.status_code == 403
