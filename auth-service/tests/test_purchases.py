"""Purchase import (admin), a shopper's purchases, and eligibility in `me` and tokens."""

import uuid
from typing import Any

import httpx
import jwt


def order(email: str, order_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "email": email,
        "order_id": order_id or f"ORD-{uuid.uuid4().hex[:10]}",
        "amount": "39000.00",
        "currency": "KRW",
        "purchased_at": "2026-11-20T10:30:00+09:00",
        **extra,
    }


async def test_import_is_idempotent_by_order_id(client: httpx.AsyncClient, api: Any) -> None:
    admin = api.bearer(await api.admin_token())
    user = await api.register()
    first = order(user["email"])
    response = await client.post("/auth/admin/purchases", json={"items": [first]}, headers=admin)
    assert response.status_code == 200
    assert response.json() == {"imported": 1, "skipped": 0, "unregistered": 0}
    again = await client.post(
        "/auth/admin/purchases", json={"items": [first, first, order(user["email"])]}, headers=admin
    )
    assert again.json() == {"imported": 1, "skipped": 2, "unregistered": 0}
    mine = await client.get(
        "/auth/me/purchases", headers=api.bearer((await api.login(user["email"]))["access_token"])
    )
    assert len(mine.json()["items"]) == 2
    assert mine.json()["next_cursor"] is None


async def test_eligibility_follows_purchases_after_refresh(
    client: httpx.AsyncClient, api: Any
) -> None:
    user, pair = await api.shopper()
    assert (
        jwt.decode(pair["access_token"], options={"verify_signature": False})["eligible"] is False
    )
    admin = api.bearer(await api.admin_token())
    await client.post(
        "/auth/admin/purchases", json={"items": [order(user["email"])]}, headers=admin
    )
    me = await client.get("/auth/me", headers=api.bearer(pair["access_token"]))
    assert me.json()["eligible"] is True
    refreshed = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    claims = jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
    assert claims["eligible"] is True


async def test_purchases_before_registration_are_linked_when_the_account_is_made(
    client: httpx.AsyncClient, api: Any
) -> None:
    email = api.new_email()
    admin = api.bearer(await api.admin_token())
    result = await client.post(
        "/auth/admin/purchases", json={"items": [order(email.upper())]}, headers=admin
    )
    assert result.json() == {"imported": 1, "skipped": 0, "unregistered": 1}
    await api.register(email)
    pair = await api.login(email)
    assert jwt.decode(pair["access_token"], options={"verify_signature": False})["eligible"]


async def test_purchases_are_paginated_newest_first(client: httpx.AsyncClient, api: Any) -> None:
    user, pair = await api.shopper()
    admin = api.bearer(await api.admin_token())
    items = [
        order(user["email"], purchased_at=f"2026-11-{d:02d}T12:00:00+09:00") for d in range(1, 6)
    ]
    await client.post("/auth/admin/purchases", json={"items": items}, headers=admin)
    headers = api.bearer(pair["access_token"])
    first = (await client.get("/auth/me/purchases?limit=2", headers=headers)).json()
    assert [p["purchased_at"][:10] for p in first["items"]] == ["2026-11-05", "2026-11-04"]
    second = (
        await client.get(
            f"/auth/me/purchases?limit=2&cursor={first['next_cursor']}", headers=headers
        )
    ).json()
    assert [p["purchased_at"][:10] for p in second["items"]] == ["2026-11-03", "2026-11-02"]
    bad = await client.get("/auth/me/purchases?cursor=garbage!", headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


async def test_a_bad_batch_writes_nothing(client: httpx.AsyncClient, api: Any) -> None:
    user, pair = await api.shopper()
    admin = api.bearer(await api.admin_token())
    good = order(user["email"])
    for bad in (
        order(user["email"], currency="won"),
        order(user["email"], amount="-1"),
        order(user["email"], purchased_at="2026-11-20T10:30:00"),  # no offset
        order("not-an-email"),
    ):
        response = await client.post(
            "/auth/admin/purchases", json={"items": [good, bad]}, headers=admin
        )
        assert response.status_code == 422, bad
    mine = await client.get("/auth/me/purchases", headers=api.bearer(pair["access_token"]))
    assert mine.json()["items"] == []


async def test_shoppers_cannot_import_or_list_users(client: httpx.AsyncClient, api: Any) -> None:
    user, pair = await api.shopper()
    headers = api.bearer(pair["access_token"])
    imported = await client.post(
        "/auth/admin/purchases", json={"items": [order(user["email"])]}, headers=headers
    )
    assert imported.status_code == 403 and imported.json()["code"] == "forbidden"
    listed = await client.get("/auth/admin/users", headers=headers)
    assert listed.status_code == 403


async def test_admin_finds_users_by_email_or_name(client: httpx.AsyncClient, api: Any) -> None:
    user = await api.register()
    admin = api.bearer(await api.admin_token())
    found = await client.get(f"/auth/admin/users?query={user['email'][:15]}", headers=admin)
    assert [u["id"] for u in found.json()["items"]] == [user["id"]]
    assert {"id", "email", "name", "role", "eligible", "created_at"} <= found.json()["items"][
        0
    ].keys()
    wildcard = await client.get("/auth/admin/users?query=%25&limit=1", headers=admin)
    assert wildcard.json()["items"] == []


async def test_an_order_dated_in_the_future_is_refused_and_nothing_is_imported(
    client: httpx.AsyncClient, api: Any
) -> None:
    admin = api.bearer(await api.admin_token())
    user = await api.register()
    good = order(user["email"])
    late = order(user["email"], purchased_at="2099-01-01T00:00:00+09:00")
    refused = await client.post(
        "/auth/admin/purchases", json={"items": [good, late]}, headers=admin
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "purchased_in_future"
    assert refused.json()["items"] == [1]
    again = await client.post("/auth/admin/purchases", json={"items": [good]}, headers=admin)
    assert again.json()["imported"] == 1  # the good one was not written the first time
